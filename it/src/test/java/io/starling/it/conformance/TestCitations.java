package io.starling.it.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Which MQTT statements the tests name, found by a light scan of the test sources rather than a
 * Java parser. A test is a method annotated {@code @Test}, {@code @ParameterizedTest},
 * {@code @RepeatedTest}, {@code @TestFactory}, {@code @TestTemplate} or {@code @Property}; it names
 * a statement with {@code [MQTT-x.y.z-n]} in its {@code @DisplayName} or {@code MQTT_x_y_z_n} in its
 * method name. Only tests of MQTT 5.0 count (see {@link #isForMqtt5}). Comments are blanked out
 * first, so a test that is commented out names nothing.
 */
final class TestCitations {
    /** A test method: its class as nested in the file ({@code Outer.Inner}), its name, the statements it names. */
    record TestMethod(String className, String method, List<String> statements) {}

    /** An annotation and its arguments, one level of parentheses inside; loops unrolled so that long arguments cannot overflow the stack. */
    private static final String ANNOTATION = "@[\\w.]+\\s*(?:\\([^()]*+(?:\\([^()]*+\\)[^()]*+)*+\\))?";
    /** Annotations, modifiers, type parameters, return type, name, "(": a method, in a source whose strings are blanked. */
    private static final Pattern METHOD = Pattern.compile(
            "((?:" + ANNOTATION + "\\s*)+)"
            + "(?:(?:public|protected|private|static|final|abstract|synchronized|default)\\s+)*"
            + "(?:<[^{};()]*>\\s+)?"
            + "[\\w.$]+(?:\\s*<[^{};()]*>)?(?:\\s*\\[\\s*\\])*\\s+"
            + "(\\w+)\\s*\\(");
    private static final Pattern TEST_ANNOTATION = Pattern.compile(
            "@(?:\\w+\\.)*(?:Test|ParameterizedTest|RepeatedTest|TestFactory|TestTemplate|Property)(?![\\w.])");
    private static final Pattern DISPLAY_NAME = Pattern.compile("@(?:\\w+\\.)*DisplayName\\s*\\(");
    private static final Pattern TYPE_DECLARATION = Pattern.compile("(?<![\\w.$])(?:class|interface|enum|record)\\s+(\\w+)");
    /** A string literal; the loop is unrolled (runs of plain characters, then one escape) so that a long literal cannot overflow the stack. */
    private static final Pattern STRING = Pattern.compile("\"([^\"\\\\]*+(?:\\\\.[^\"\\\\]*+)*+)\"");
    private static final Pattern NAMED_IN_DISPLAY_NAME = Pattern.compile("\\[MQTT-(\\d+\\.\\d+\\.\\d+-\\d+)]");
    private static final Pattern NAMED_IN_METHOD_NAME = Pattern.compile("(?i)MQTT_(\\d+)_(\\d+)_(\\d+)_(\\d+)(?!\\d)");

    private TestCitations() {}

    /**
     * Every statement named by a test under {@code root}/{@code <module>}/src/test/java, with its
     * tests as {@code module: Class#method}, sorted. The table is the broker's: the client
     * library's tests (which name the client's side of the statements) and tests of the client
     * against Mosquitto prove nothing about it, and are left out.
     */
    static Map<String, SortedSet<String>> scan(Path root) throws IOException {
        Map<String, SortedSet<String>> tests = new TreeMap<>();
        List<Path> modules;
        try (Stream<Path> children = Files.list(root)) {
            modules = children.filter(dir -> Files.isDirectory(dir.resolve("src/test/java")))
                    .filter(dir -> !dir.getFileName().toString().equals("client")).sorted().toList();
        }
        for (Path module : modules) {
            List<Path> sources;
            try (Stream<Path> files = Files.walk(module.resolve("src/test/java"))) {
                sources = files.filter(file -> file.toString().endsWith(".java"))
                        .filter(file -> !file.getFileName().toString().contains("Mosquitto")).sorted().toList();
            }
            for (Path source : sources) {
                for (TestMethod test : testMethods(Files.readString(source))) {
                    String name = module.getFileName() + ": " + test.className() + "#" + test.method();
                    for (String statement : test.statements()) {
                        tests.computeIfAbsent(statement, s -> new TreeSet<>()).add(name);
                    }
                }
            }
        }
        return tests;
    }

    /** The test methods of one source file, in the order they appear. */
    static List<TestMethod> testMethods(String source) {
        String text = blank(source, false);  // comments blanked: display names can be read here
        String code = blank(source, true);   // strings blanked too: the structure is read here
        List<TestMethod> methods = new ArrayList<>();
        List<String> enclosing = new ArrayList<>();  // one entry per open brace: a type's name, or null
        String declared = null;
        Matcher types = TYPE_DECLARATION.matcher(code);
        int nextType = types.find() ? types.start() : -1;
        Matcher method = METHOD.matcher(code);
        int nextMethod = method.find() ? method.start() : -1;
        for (int i = 0; i < code.length(); i++) {
            if (i == nextType) {
                declared = types.group(1);
                nextType = types.find() ? types.start() : -1;
            }
            if (i == nextMethod) {
                String annotations = code.substring(method.start(1), method.end(1));
                if (TEST_ANNOTATION.matcher(annotations).find()) {
                    String className = enclosing.stream().filter(n -> n != null).collect(Collectors.joining("."));
                    String displayName = displayName(text, code, method.start(1), method.end(1));
                    if (isForMqtt5(className, displayName)) {
                        methods.add(new TestMethod(className, method.group(2), statements(displayName, method.group(2))));
                    }
                }
                nextMethod = method.find() ? method.start() : -1;
            }
            char c = code.charAt(i);
            if (c == '{') {
                enclosing.add(declared);
                declared = null;
            } else if (c == '}' && !enclosing.isEmpty()) {
                enclosing.remove(enclosing.size() - 1);
            }
        }
        return methods;
    }

    /** The strings of the {@code @DisplayName} among the annotations from {@code from} to {@code to}, joined; "" if none. */
    private static String displayName(String text, String code, int from, int to) {
        Matcher name = DISPLAY_NAME.matcher(code).region(from, to);
        if (!name.find()) {
            return "";
        }
        int depth = 1;
        int end = name.end();
        while (end < to && depth > 0) {
            char c = code.charAt(end++);
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
        }
        StringBuilder joined = new StringBuilder();
        Matcher string = STRING.matcher(text).region(name.end(), end);
        while (string.find()) {
            joined.append(string.group(1));
        }
        return joined.toString();
    }

    /**
     * Whether a test proves MQTT 5.0 statements: its class is a 5.0 one ({@code Mqtt5...},
     * {@code ...V5...}) or its display name says "5.0". The 3.1.1 standard numbers its statements
     * the same way for other rules, so a 3.1.1 test's numbers do not count here.
     */
    static boolean isForMqtt5(String className, String displayName) {
        return className.contains("Mqtt5") || className.contains("V5") || displayName.contains("5.0");
    }

    private static List<String> statements(String displayName, String methodName) {
        Set<String> named = new LinkedHashSet<>();
        Matcher inName = NAMED_IN_DISPLAY_NAME.matcher(displayName);
        while (inName.find()) {
            named.add("MQTT-" + inName.group(1));
        }
        Matcher inMethod = NAMED_IN_METHOD_NAME.matcher(methodName);
        while (inMethod.find()) {
            named.add("MQTT-" + inMethod.group(1) + "." + inMethod.group(2) + "." + inMethod.group(3) + "-" + inMethod.group(4));
        }
        return List.copyOf(named);
    }

    /**
     * The source with its comments replaced by spaces, and the contents of its string, text block
     * and character literals too when {@code strings}; line breaks stay, so positions do not move.
     */
    static String blank(String source, boolean strings) {
        StringBuilder out = new StringBuilder(source);
        int n = source.length();
        int i = 0;
        while (i < n) {
            char c = source.charAt(i);
            char next = i + 1 < n ? source.charAt(i + 1) : 0;
            if (c == '/' && next == '/') {
                int end = source.indexOf('\n', i);
                end = end < 0 ? n : end;
                spaces(out, i, end);
                i = end;
            } else if (c == '/' && next == '*') {
                int end = source.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                spaces(out, i, end);
                i = end;
            } else if (source.startsWith("\"\"\"", i)) {
                int end = i + 3;
                while (end < n && !source.startsWith("\"\"\"", end)) {
                    end += source.charAt(end) == '\\' ? 2 : 1;
                }
                if (strings) {
                    spaces(out, i + 3, Math.min(end, n));
                }
                i = end + 3;
            } else if (c == '"' || c == '\'') {
                int end = i + 1;
                while (end < n && source.charAt(end) != c && source.charAt(end) != '\n') {
                    end += source.charAt(end) == '\\' ? 2 : 1;
                }
                if (strings) {
                    spaces(out, i + 1, Math.min(end, n));
                }
                i = end + 1;
            } else {
                i++;
            }
        }
        return out.toString();
    }

    private static void spaces(StringBuilder out, int from, int to) {
        for (int i = from; i < to; i++) {
            if (out.charAt(i) != '\n') {
                out.setCharAt(i, ' ');
            }
        }
    }
}
