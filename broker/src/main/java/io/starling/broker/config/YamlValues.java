package io.starling.broker.config;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.ReaderException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.schema.JsonSchema;

/**
 * The typed values of a YAML configuration, read from SnakeYAML's node tree so that every error can
 * name the file, line and key it is about: booleans, whole numbers, sizes, durations, paths and
 * texts, each strictly (the YAML 1.2 JSON schema; nothing guessed or clamped), and mappings whose
 * keys are checked against the known ones.
 */
final class YamlValues {
    // The YAML 1.2 JSON schema: only unquoted true/false are booleans and only plain decimals are
    // integers, so "yes", "on", 0x10 and 007 stay strings and are refused where a bool or int is due.
    private static final Pattern INTEGER = Pattern.compile("-?[0-9]+");
    private static final Pattern SIZE = Pattern.compile("([0-9]+) ?(B|KiB|MiB|GiB)");
    private static final Pattern DURATION = Pattern.compile("([0-9]+)([smhd])");
    private static final String SIZE_FORM = "a number of bytes or a size such as 512B, 256KiB, 1MiB or 2GiB";
    private static final String DURATION_FORM = "'never', a number of seconds, or a duration such as 90s, 30m, 2h or 7d";
    private static final int MAX_SUGGESTION_DISTANCE = 2;

    private final String file;
    private final Path baseDir;

    YamlValues(String file, Path baseDir) {
        this.file = file;
        this.baseDir = baseDir;
    }

    /** The file being read, for errors that point at no line. */
    String file() {
        return file;
    }

    /** The entries of {@code mapping}, after refusing non-name keys, unknown keys and duplicates. */
    List<NodeTuple> entries(MappingNode mapping, @Nullable String parent, List<String> known,
            List<String> elsewhere, String elsewhereHint) throws ConfigException {
        Map<String, Integer> firstLines = new HashMap<>();
        for (NodeTuple entry : mapping.getValue()) {
            Node keyNode = entry.getKeyNode();
            if (!(keyNode instanceof ScalarNode scalar)) {
                throw error(keyNode, parent, "keys must be names, not " + describe(keyNode));
            }
            String name = scalar.getValue();
            String path = parent == null ? name : parent + "." + name;
            if (!known.contains(name)) {
                String hint = elsewhere.contains(name) ? "; " + elsewhereHint : suggestion(name, known);
                throw error(keyNode, path, "unknown key '" + name + "'" + hint);
            }
            Integer firstLine = firstLines.putIfAbsent(name, line(keyNode));
            if (firstLine != null) {
                throw error(keyNode, path, "duplicate key '" + name + "', first given on line " + firstLine);
            }
        }
        return mapping.getValue();
    }

    private static String suggestion(String name, List<String> known) {
        String closest = null;
        int best = MAX_SUGGESTION_DISTANCE + 1;
        for (String candidate : known) {
            int distance = editDistance(name, candidate, best);
            if (distance < best) {
                best = distance;
                closest = candidate;
            }
        }
        return closest == null ? "" : "; did you mean '" + closest + "'?";
    }

    /**
     * Edits (insert, delete, substitute, swap two neighbours) turning {@code a} into {@code b}, or
     * {@code limit} if it takes at least that many: a long key is not worth a full table.
     */
    static int editDistance(String a, String b, int limit) {
        if (Math.abs(a.length() - b.length()) >= limit) {
            return limit;
        }
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int substitution = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + substitution);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return Math.min(d[a.length()][b.length()], limit);
    }

    boolean bool(Node value, String key) throws ConfigException {
        ScalarNode scalar = requireValue(value, key, "true or false");
        if (scalar.getTag().equals(Tag.BOOL) && (scalar.getValue().equals("true") || scalar.getValue().equals("false"))) {
            return scalar.getValue().equals("true");
        }
        throw error(value, key, "must be true or false, not " + describe(value)
                + "; only unquoted lowercase true and false are booleans here, not yes/no, on/off or 1/0");
    }

    int integer(Node value, String key, int min, int max) throws ConfigException {
        ScalarNode scalar = requireValue(value, key, "a whole number");
        if (!isInteger(scalar)) {
            String hint = scalar.getValue().trim().matches("[-+]?[0-9]+")
                    ? "; write numbers in plain decimal, without quotes, a plus sign or leading zeros" : "";
            throw error(value, key, "must be a whole number, not " + describe(value) + hint);
        }
        BigInteger number = new BigInteger(scalar.getValue());
        if (number.compareTo(BigInteger.valueOf(min)) < 0 || number.compareTo(BigInteger.valueOf(max)) > 0) {
            boolean openEnded = max == Integer.MAX_VALUE && number.compareTo(BigInteger.valueOf(min)) < 0;
            throw error(value, key, "must be " + (openEnded ? min + " or more" : min + " to " + max) + ", not " + number);
        }
        return number.intValueExact();
    }

    long size(Node value, String key, long min, long max) throws ConfigException {
        ScalarNode scalar = requireValue(value, key, SIZE_FORM);
        String text = scalar.getValue();
        BigInteger bytes;
        if (isInteger(scalar)) {
            bytes = new BigInteger(text);
        } else {
            Matcher size = SIZE.matcher(text);
            if (!scalar.getTag().equals(Tag.STR) || !size.matches()) {
                throw error(value, key, "must be " + SIZE_FORM + ", not " + describe(value));
            }
            int shift = switch (size.group(2)) {
                case "KiB" -> 10;
                case "MiB" -> 20;
                case "GiB" -> 30;
                default -> 0;
            };
            bytes = new BigInteger(size.group(1)).shiftLeft(shift);
        }
        if (bytes.compareTo(BigInteger.valueOf(min)) < 0 || bytes.compareTo(BigInteger.valueOf(max)) > 0) {
            String given = isInteger(scalar) ? text : text + " (" + bytes + " bytes)";
            throw error(value, key, "must be " + (max == Long.MAX_VALUE ? min + " bytes or more" : min + " to " + max + " bytes")
                    + ", not " + given);
        }
        return bytes.longValueExact();
    }

    @Nullable Duration duration(Node value, String key) throws ConfigException {
        ScalarNode scalar = requireValue(value, key, DURATION_FORM);
        String text = scalar.getValue();
        BigInteger seconds;
        if (isInteger(scalar)) {
            seconds = new BigInteger(text);
        } else if (scalar.getTag().equals(Tag.STR) && text.equals("never")) {
            return null;
        } else {
            Matcher duration = DURATION.matcher(text);
            if (!scalar.getTag().equals(Tag.STR) || !duration.matches()) {
                throw error(value, key, "must be " + DURATION_FORM + ", not " + describe(value));
            }
            long unit = switch (duration.group(2)) {
                case "m" -> 60;
                case "h" -> 60 * 60;
                case "d" -> 24 * 60 * 60;
                default -> 1;
            };
            seconds = new BigInteger(duration.group(1)).multiply(BigInteger.valueOf(unit));
        }
        if (seconds.signum() <= 0) {
            throw error(value, key, "must be a positive duration or 'never', not " + text);
        }
        if (seconds.bitLength() >= Long.SIZE) {
            throw error(value, key, "must be at most " + Long.MAX_VALUE + " seconds, not " + text
                    + "; use 'never' for sessions that never expire");
        }
        return Duration.ofSeconds(seconds.longValueExact());
    }

    Path path(Node value, String key) throws ConfigException {
        String text = text(value, key, "a file path");
        try {
            return baseDir.resolve(text);
        } catch (InvalidPathException e) {
            throw error(value, key, "must be a file path, not " + describe(value) + ": " + e.getReason());
        }
    }

    String serverReference(Node value, String key) throws ConfigException {
        return mqttString(text(value, key, "a server address such as mqtt2.example.com:1883"), value, key);
    }

    String mqttString(Node value, String key) throws ConfigException {
        return mqttString(text(value, key, "a text such as responses/"), value, key);
    }

    private String mqttString(String text, Node value, String key) throws ConfigException {
        if (text.getBytes(StandardCharsets.UTF_8).length > 65_535) {
            throw error(value, key, "must be at most 65535 bytes of UTF-8 (an MQTT string)");
        }
        return text;
    }

    FsyncMode fsync(Node value, String key) throws ConfigException {
        String text = text(value, key, "always, batch or never");
        try {
            return FsyncMode.parse(text);
        } catch (IllegalArgumentException e) {
            throw error(value, key, "must be always, batch or never, not " + describe(value));
        }
    }

    /** A string; a number is taken as its text (a host or file may be all digits), a boolean is not. */
    String text(Node value, String key, String expected) throws ConfigException {
        ScalarNode scalar = requireValue(value, key, expected);
        Tag tag = scalar.getTag();
        boolean textual = tag.equals(Tag.STR) || tag.equals(Tag.INT) || tag.equals(Tag.FLOAT);
        if (!textual || scalar.getValue().isBlank()) {
            throw error(value, key, "must be " + expected + ", not " + describe(value));
        }
        return scalar.getValue();
    }

    /** {@code value} as a scalar, refusing an empty value, a list and a mapping. */
    ScalarNode requireValue(Node value, String key, String expected) throws ConfigException {
        requireNotEmpty(value, key, expected);
        if (value instanceof ScalarNode scalar) {
            return scalar;
        }
        throw error(value, key, "must be " + expected + ", not " + describe(value));
    }

    // "key:" with nothing after it is more likely a slip than a wish for the default, so it is refused.
    void requireNotEmpty(Node value, String key, String expected) throws ConfigException {
        if (value.getTag().equals(Tag.NULL)) {
            throw error(value, key, "has no value; give " + expected + ", or leave the key out for the default");
        }
    }

    private static boolean isInteger(ScalarNode scalar) {
        return scalar.getTag().equals(Tag.INT) && INTEGER.matcher(scalar.getValue()).matches();
    }

    static String describe(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        if (!(node instanceof ScalarNode scalar)) {
            return "a " + node.getNodeType().name().toLowerCase(Locale.ROOT) + " node";
        }
        Tag tag = scalar.getTag();
        if (tag.equals(Tag.NULL)) {
            return "empty";
        }
        if (tag.equals(Tag.INT) || tag.equals(Tag.FLOAT) || tag.equals(Tag.BOOL)) {
            return scalar.getValue();
        }
        if (tag.equals(Tag.STR)) {
            return "'" + scalar.getValue() + "'";
        }
        return "'" + scalar.getValue() + "' tagged " + tag.getValue();
    }

    Optional<Node> compose(String yaml) throws ConfigException {
        LoadSettings settings = LoadSettings.builder().setLabel(file).setSchema(new JsonSchema()).build();
        try {
            return new Compose(settings).composeString(yaml);
        } catch (MarkedYamlEngineException e) {
            throw syntaxError(e);
        } catch (ReaderException e) {
            // The reader knows only the code point's position, so count the lines before it.
            long line = 1 + yaml.codePoints().limit(e.getPosition()).filter(c -> c == '\n').count();
            throw new ConfigException(file, (int) line, null, "invalid YAML: " + e.getMessage()
                    + String.format(" (U+%04X)", e.getCodePoint()), e);
        } catch (YamlEngineException e) {
            throw new ConfigException(file, "invalid YAML: " + e.getMessage(), e);
        }
    }

    private ConfigException syntaxError(MarkedYamlEngineException e) {
        Optional<Mark> at = e.getProblemMark().or(e::getContextMark);
        StringBuilder problem = new StringBuilder("invalid YAML: ").append(e.getProblem().strip());
        at.ifPresent(mark -> problem.append(" at column ").append(mark.getColumn() + 1));
        String context = e.getContext();
        if (context != null && !context.isBlank()) {
            problem.append(" (").append(context.strip());
            e.getContextMark().ifPresent(mark -> problem.append(" on line ").append(mark.getLine() + 1));
            problem.append(')');
        }
        return new ConfigException(file, at.map(mark -> mark.getLine() + 1).orElse(0), null, problem.toString(), e);
    }

    ConfigException error(Node node, @Nullable String key, String problem) {
        return new ConfigException(file, line(node), key, problem, null);
    }

    static int line(Node node) {
        return node.getStartMark().map(mark -> mark.getLine() + 1).orElse(0);
    }
}
