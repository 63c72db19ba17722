package io.starling.it.conformance;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hand-kept list {@code docs/conformance/mqtt5-server-musts.tsv}: every numbered normative
 * statement of MQTT 5.0, who it binds, what it requires and, where no test can exist, why. Rows
 * that are not right are left out of {@link #statements()} and described in {@link #problems()}.
 */
record StatementList(List<Statement> statements, List<String> problems) {
    static final String HEADER = "statement\tbinds\trequires\twhy no test";
    private static final Pattern NUMBER = Pattern.compile("MQTT-([1-9]\\d*)\\.(\\d+)\\.(\\d+)-([1-9]\\d*)");

    /** Whom a statement binds; {@code CLIENT} statements do not apply to the broker. */
    enum Binds { SERVER, BOTH, CLIENT }

    /** One statement: {@code whyNoTest} is empty unless no broker test can prove it. */
    record Statement(String number, Binds binds, String requires, String whyNoTest) {
        String bindsName() {
            return binds.name().toLowerCase(Locale.ROOT);
        }
    }

    /** Reads the list's lines; lines starting with {@code #} and blank lines are comments. */
    static StatementList parse(List<String> lines) {
        List<Statement> statements = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Map<String, Integer> lineOf = new HashMap<>();
        boolean header = false;
        long previous = -1;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String where = "line " + (i + 1) + ": ";
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            if (!header) {
                header = true;
                if (!line.equals(HEADER)) {
                    problems.add(where + "the header should be '" + HEADER.replace("\t", "<tab>") + "'");
                }
                continue;
            }
            String[] cells = line.split("\t", -1);
            if (cells.length < 3 || cells.length > 4) {
                problems.add(where + cells.length + " tab-separated columns, not 3 or 4");
                continue;
            }
            String number = cells[0].strip();
            Matcher parts = NUMBER.matcher(number);
            if (!parts.matches()) {
                problems.add(where + "'" + number + "' is not a statement number of the form MQTT-x.y.z-n");
                continue;
            }
            Integer first = lineOf.putIfAbsent(number, i + 1);
            if (first != null) {
                problems.add(where + number + " is listed twice (first on line " + first + ")");
                continue;
            }
            long order = 0;
            for (int g = 1; g <= 4; g++) {
                order = order * 1000 + Long.parseLong(parts.group(g));
            }
            if (order < previous) {
                problems.add(where + number + " is out of the specification's order");
            }
            previous = order;
            Binds binds = switch (cells[1].strip()) {
                case "server" -> Binds.SERVER;
                case "both" -> Binds.BOTH;
                case "client" -> Binds.CLIENT;
                default -> null;
            };
            String requires = cells[2].strip();
            String why = cells.length == 4 ? cells[3].strip() : "";
            if (binds == null) {
                problems.add(where + number + " binds '" + cells[1].strip() + "', not server, both or client");
            } else if (requires.isEmpty()) {
                problems.add(where + number + " says nothing about what it requires");
            } else if (binds == Binds.CLIENT && why.isEmpty()) {
                problems.add(where + number + " binds the client alone, but does not say why it does not apply");
            } else {
                statements.add(new Statement(number, binds, requires, why));
            }
        }
        if (!header) {
            problems.add("no header line '" + HEADER.replace("\t", "<tab>") + "' and no statements");
        }
        return new StatementList(List.copyOf(statements), List.copyOf(problems));
    }
}
