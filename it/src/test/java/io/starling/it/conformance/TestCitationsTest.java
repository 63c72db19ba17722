package io.starling.it.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.it.conformance.TestCitations.TestMethod;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The source scan behind the conformance table, on a made-up test class (statement numbers 9.x exist in no MQTT version). */
class TestCitationsTest {
    private static final String SOURCE = """
            package made.up;

            @DisplayName("[MQTT-9.0.0-9] a class's display name names no test")
            class Mqtt5Outer {
                @Test
                @DisplayName("[MQTT-9.0.0-1] [MQTT-9.0.0-2] two statements (in parentheses) and a \\" quote")
                void first() {
                    Runnable r = new Runnable() { public void run() { } };
                }

                // @Test @DisplayName("[MQTT-9.0.0-3] commented out") void lineComment() {}
                /* @Test void mqtt_9_0_0_3_blockComment() {} */

                @ParameterizedTest(name = "{0} }")
                @ValueSource(strings = {"a", "}", "{"})
                @DisplayName("[MQTT-9.0.0-4] " + "joined with [MQTT-9.0.0-5]")
                void second(String s) {
                    char c = '}';
                }

                @Nested
                class Inner {
                    @org.junit.jupiter.api.Test
                    public void MQTT_9_0_0_6_namedByItsMethod() {}

                    @TestFactory
                    Stream<DynamicTest> mqtt_9_0_0_7_lowerCase() { return Stream.empty(); }
                }

                @Test
                @DisplayName("MQTT-9.0.0-8 without brackets names nothing")
                void third() {}

                @TestInstance(PER_CLASS)
                @DisplayName("[MQTT-9.0.0-10] not a test")
                void helper() {}
            }
            """;

    @Test
    void findsEveryTestMethodWithItsNestedClassAndTheStatementsItNames() {
        assertThat(TestCitations.testMethods(SOURCE)).containsExactly(
                new TestMethod("Mqtt5Outer", "first", List.of("MQTT-9.0.0-1", "MQTT-9.0.0-2")),
                new TestMethod("Mqtt5Outer", "second", List.of("MQTT-9.0.0-4", "MQTT-9.0.0-5")),
                new TestMethod("Mqtt5Outer.Inner", "MQTT_9_0_0_6_namedByItsMethod", List.of("MQTT-9.0.0-6")),
                new TestMethod("Mqtt5Outer.Inner", "mqtt_9_0_0_7_lowerCase", List.of("MQTT-9.0.0-7")),
                new TestMethod("Mqtt5Outer", "third", List.of()));
    }

    @Test
    void onlyMqtt5TestsCount() {
        String source = """
                class PublishTest {
                    @Test
                    @DisplayName("[MQTT-9.0.0-1] a 3.1.1 test, whose numbers mean other rules in the newer standard")
                    void old() {}

                    @Test
                    @DisplayName("[MQTT-9.0.0-2] a 5.0 client gets this")
                    void named() {}
                }
                """;
        assertThat(TestCitations.testMethods(source)).containsExactly(new TestMethod("PublishTest", "named", List.of("MQTT-9.0.0-2")));
        assertThat(TestCitations.isForMqtt5("MalformedV5Test", "")).isTrue();
    }

    @Test
    void blankingKeepsEveryPositionAndLineBreak() {
        String source = "a /* b\n c */ \"d // e\" 'f' // g\nh";
        assertThat(TestCitations.blank(source, false)).isEqualTo("a     \n      \"d // e\" 'f'     \nh");
        assertThat(TestCitations.blank(source, true)).isEqualTo("a     \n      \"      \" ' '     \nh");
    }
}
