package io.starling.it.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.it.conformance.StatementList.Binds;
import io.starling.it.conformance.StatementList.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reader of the hand-kept statement list, and every problem it reports. */
class StatementListTest {
    @Test
    void readsRowsWithAndWithoutAReason() {
        StatementList list = StatementList.parse(List.of(
                "# a comment",
                "",
                StatementList.HEADER,
                "MQTT-3.1.0-2\tserver\ta second CONNECT closes the connection\t",
                "MQTT-3.1.2-20\tclient\tthe client pings\tthe client's own timing",
                "MQTT-4.7.3-3\tboth\ttopics fit in 65,535 bytes"));
        assertThat(list.problems()).isEmpty();
        assertThat(list.statements()).containsExactly(
                new Statement("MQTT-3.1.0-2", Binds.SERVER, "a second CONNECT closes the connection", ""),
                new Statement("MQTT-3.1.2-20", Binds.CLIENT, "the client pings", "the client's own timing"),
                new Statement("MQTT-4.7.3-3", Binds.BOTH, "topics fit in 65,535 bytes", ""));
    }

    @Test
    void reportsEveryProblemWithItsLine() {
        StatementList list = StatementList.parse(List.of(
                "statement\tbinds\trequires",
                "MQTT-3.1.2-4\tboth\tclean start",
                "MQTT-3.1.2.5\tserver\tresume",
                "MQTT-3.1.2-4\tboth\tclean start again",
                "MQTT-3.1.2-1\tboth\tprotocol name",
                "MQTT-3.1.2-6\teveryone\tnew session",
                "MQTT-3.1.2-7\tserver\t",
                "MQTT-3.1.2-20\tclient\tthe client pings",
                "MQTT-3.1.2-22\tserver"));
        assertThat(list.problems()).containsExactly(
                "line 1: the header should be 'statement<tab>binds<tab>requires<tab>why no test'",
                "line 3: 'MQTT-3.1.2.5' is not a statement number of the form MQTT-x.y.z-n",
                "line 4: MQTT-3.1.2-4 is listed twice (first on line 2)",
                "line 5: MQTT-3.1.2-1 is out of the specification's order",
                "line 6: MQTT-3.1.2-6 binds 'everyone', not server, both or client",
                "line 7: MQTT-3.1.2-7 says nothing about what it requires",
                "line 8: MQTT-3.1.2-20 binds the client alone, but does not say why it does not apply",
                "line 9: 2 tab-separated columns, not 3 or 4");
        assertThat(list.statements()).extracting(Statement::number).containsExactly("MQTT-3.1.2-4", "MQTT-3.1.2-1");
    }
}
