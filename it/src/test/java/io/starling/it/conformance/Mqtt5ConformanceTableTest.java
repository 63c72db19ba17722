package io.starling.it.conformance;

import static org.junit.jupiter.api.Assertions.fail;

import io.starling.it.conformance.StatementList.Binds;
import io.starling.it.conformance.StatementList.Statement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The MQTT 5.0 conformance table, {@code docs/mqtt5-conformance.md}: every numbered statement of
 * MQTT 5.0 that binds the server, with the tests that name it or the reason none can. It is made
 * from the hand-kept {@code docs/conformance/mqtt5-server-musts.tsv} and the names of the tests of
 * every module, so the build fails when a test it lists is renamed or removed.
 */
class Mqtt5ConformanceTableTest {
    static final String LIST = "docs/conformance/mqtt5-server-musts.tsv";
    static final String TABLE = "docs/mqtt5-conformance.md";
    static final String REGENERATE = "./mvnw -B -q -pl it -am test -Dtest=Mqtt5ConformanceTableTest"
            + " -Dsurefire.failIfNoSpecifiedTests=false -Dconformance.write=true";
    /** {@code -Dconformance.write=true} writes the table instead of comparing it. */
    private static final boolean WRITE = Boolean.getBoolean("conformance.write");
    /**
     * While MQTT 5.0 is being built, statements with neither a test nor a reason can be counted
     * instead of failing the build: {@code -Dconformance.allowUntested=true}, or set this to true.
     */
    private static final boolean ALLOW_UNTESTED = Boolean.getBoolean("conformance.allowUntested");

    private static Path root;
    private static StatementList list;
    private static Map<String, SortedSet<String>> tests;

    @BeforeAll
    static void read() throws IOException {
        root = projectRoot();
        list = StatementList.parse(Files.readAllLines(root.resolve(LIST)));
        tests = TestCitations.scan(root);
    }

    @Test
    @DisplayName("the statement list has one well-formed row per statement, in the specification's order")
    void listIsWellFormed() {
        if (!list.problems().isEmpty()) {
            fail(LIST + " is not well formed:\n  " + String.join("\n  ", list.problems()));
        }
    }

    @Test
    @DisplayName("docs/mqtt5-conformance.md is what the statement list and the tests' names make it")
    void tableIsUpToDate() throws IOException {
        String made = render(list.statements(), tests);
        Path table = root.resolve(TABLE);
        if (WRITE) {
            Files.writeString(table, made);
            return;
        }
        String committed = Files.exists(table) ? Files.readString(table).replace("\r\n", "\n") : "";
        if (!committed.equals(made)) {
            fail(TABLE + " is out of date: a test that names a statement was added, renamed or removed, or "
                    + LIST + " changed.\n" + firstDifference(committed, made)
                    + "Regenerate it, and commit it with the change:\n  " + REGENERATE);
        }
    }

    @Test
    @DisplayName("every statement that binds the server has a test or a reason why none can exist")
    void everyStatementHasATestOrAReason() {
        List<Statement> bare = serverSide(list.statements()).stream()
                .filter(s -> !tests.containsKey(s.number()) && s.whyNoTest().isEmpty())
                .toList();
        String summary = bare.size() + " of " + serverSide(list.statements()).size()
                + " statements that bind the server have neither a test nor a reason";
        if (ALLOW_UNTESTED && !bare.isEmpty()) {
            System.out.println("MQTT 5.0 conformance: " + summary + " (counted, not failed: conformance.allowUntested)");
            Assumptions.abort(summary);
        }
        if (!bare.isEmpty()) {
            fail(summary + ":\n" + bare.stream().map(s -> "  " + s.number() + "  " + s.requires()).collect(Collectors.joining("\n"))
                    + "\nName a test after each ([MQTT-x.y.z-n] in its @DisplayName), or say in " + LIST
                    + " why no test can exist; while MQTT 5.0 is being built, -Dconformance.allowUntested=true"
                    + " counts them instead.");
        }
    }

    private static String render(List<Statement> statements, Map<String, SortedSet<String>> tests) {
        List<Statement> server = serverSide(statements);
        List<Statement> client = statements.stream().filter(s -> s.binds() == Binds.CLIENT).toList();
        long tested = server.stream().filter(s -> tests.containsKey(s.number())).count();
        long reasoned = server.stream().filter(s -> !tests.containsKey(s.number()) && !s.whyNoTest().isEmpty()).count();
        StringBuilder md = new StringBuilder();
        md.append("# MQTT 5.0: what the server must do, and the tests that prove it\n\n");
        md.append("Generated by `Mqtt5ConformanceTableTest` (in `it/`) from the hand-kept list\n"
                + "[`conformance/mqtt5-server-musts.tsv`](conformance/mqtt5-server-musts.tsv) and the names of the\n"
                + "tests of every module: do not edit it by hand. The build fails when this file is not what they\n"
                + "make it, for example when a test named here has been renamed or removed. Regenerate it with\n\n"
                + "```sh\n" + REGENERATE + "\n```\n\n");
        md.append("Each numbered normative statement of MQTT 5.0 (OASIS Standard, 7 March 2019) that binds the\n"
                + "server, alone or with the client, is one row: what it requires, in our words (read the\n"
                + "specification alongside), the tests that name it, or why no test can. A test names a statement\n"
                + "with `[MQTT-x.y.z-n]` in its `@DisplayName`, or with `MQTT_x_y_z_n` in its method name.\n\n");
        md.append("**Only 5.0 tests count.** MQTT 3.1.1 numbers its statements in the same form, and the same\n"
                + "number often means another rule in 5.0 (3.1.1's keep-alive statement, MQTT-3.1.2-24, is\n"
                + "MQTT-3.1.2-22 in 5.0). So a test counts here only when it is about 5.0: its class name has\n"
                + "`Mqtt5` or `V5` in it (the broker's `Mqtt5*ConformanceTest`, the codec's `*V5Test`), or its\n"
                + "display name says `5.0`.\n\n");
        md.append("| statements | count |\n|---|---|\n")
                .append("| binding the server (server or both) | ").append(server.size()).append(" |\n")
                .append("| with a test | ").append(tested).append(" |\n")
                .append("| with a reason why no test can exist | ").append(reasoned).append(" |\n")
                .append("| with neither | ").append(server.size() - tested - reasoned).append(" |\n")
                .append("| binding the client alone ([not applicable](#client-only-not-applicable)) | ")
                .append(client.size()).append(" |\n\n");
        md.append("## Statements that bind the server\n\n")
                .append("| statement | binds | requires | tests | why no test |\n|---|---|---|---|---|\n");
        for (Statement s : server) {
            String named = String.join("<br>", tests.getOrDefault(s.number(), Collections.emptySortedSet()));
            md.append("| ").append(s.number()).append(" | ").append(s.bindsName()).append(" | ").append(cell(s.requires()))
                    .append(" | ").append(cell(named)).append(" | ").append(cell(s.whyNoTest())).append(" |\n");
        }
        md.append("\n## Client-only, not applicable\n\n")
                .append("These bind the client alone and leave the server nothing to do or to check.\n\n")
                .append("| statement | requires | why it does not apply |\n|---|---|---|\n");
        for (Statement s : client) {
            md.append("| ").append(s.number()).append(" | ").append(cell(s.requires()))
                    .append(" | ").append(cell(s.whyNoTest())).append(" |\n");
        }
        return md.toString();
    }

    private static List<Statement> serverSide(List<Statement> statements) {
        return statements.stream().filter(s -> s.binds() != Binds.CLIENT).toList();
    }

    private static String cell(String text) {
        return text.replace("|", "\\|");
    }

    private static String firstDifference(String committed, String made) {
        List<String> a = committed.lines().toList();
        List<String> b = made.lines().toList();
        for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
            String was = i < a.size() ? a.get(i) : "(end of file)";
            String is = i < b.size() ? b.get(i) : "(end of file)";
            if (!was.equals(is)) {
                return "First difference, line " + (i + 1) + ":\n  committed: " + was + "\n  generated: " + is + "\n";
            }
        }
        return "";
    }

    /** The directory that holds the statement list: Maven runs this test in it/, an IDE maybe at the root. */
    private static Path projectRoot() {
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(LIST))) {
                return dir;
            }
        }
        throw new IllegalStateException("no " + LIST + " in " + start + " or above it");
    }
}
