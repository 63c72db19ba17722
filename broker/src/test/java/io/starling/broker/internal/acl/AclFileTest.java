package io.starling.broker.internal.acl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.starling.broker.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AclFileTest {

    private static AclFile parse(String... lines) throws ConfigException {
        return AclFile.parse("acl", List.of(lines));
    }

    @Test
    @DisplayName("comments, blank lines, anonymous rules before the first user, user sections, patterns for all")
    void format() throws ConfigException {
        AclFile file = parse(
                "# anonymous clients",
                "",
                "topic read public/#",
                "   # an indented comment",
                "user alice",
                "topic alice/#",
                "topic write shared/in",
                "user bob",
                "topic read shared/in",
                "user alice",
                "topic deny alice/secret",
                "pattern readwrite devices/%c/#");
        assertThat(file.size()).isEqualTo(6);
        ClientRules anonymous = file.rulesFor(null, "anon1");
        assertThat(anonymous.mayRead("public/news")).isTrue();
        assertThat(anonymous.mayWrite("public/news")).isFalse();
        assertThat(anonymous.mayRead("alice/x")).isFalse();
        assertThat(anonymous.mayWrite("devices/anon1/state")).isTrue();

        ClientRules alice = file.rulesFor("alice", "a1");
        // no access word: readwrite
        assertThat(alice.mayRead("alice/x")).isTrue();
        assertThat(alice.mayWrite("alice/x")).isTrue();
        // the second "user alice" section adds to the first
        assertThat(alice.mayRead("alice/secret")).isFalse();
        assertThat(alice.mayWrite("shared/in")).isTrue();
        assertThat(alice.mayRead("shared/in")).isFalse();
        // anonymous rules are not a user's
        assertThat(alice.mayRead("public/news")).isFalse();
        assertThat(alice.mayRead("devices/a1/x")).isTrue();
        assertThat(alice.mayRead("devices/a2/x")).isFalse();

        ClientRules carol = file.rulesFor("carol", "c1");
        assertThat(carol.mayRead("alice/x")).isFalse();
        assertThat(carol.mayRead("devices/c1/x")).isTrue();
    }

    @Test
    @DisplayName("a filter with spaces is the rest of the line, after the access word")
    void spaces() throws ConfigException {
        AclFile file = parse("topic read  my topic/with spaces  ", "topic write\ttabbed");
        ClientRules rules = file.rulesFor(null, "c");
        assertThat(rules.mayRead("my topic/with spaces")).isTrue();
        assertThat(rules.mayRead("my")).isFalse();
        assertThat(rules.mayWrite("tabbed")).isTrue();
    }

    @Test
    @DisplayName("%c and %u are replaced only as whole levels; a pattern that cannot be filled matches nothing")
    void patterns() throws ConfigException {
        AclFile file = parse(
                "pattern read users/%u/#",
                "pattern write clients/%c",
                "pattern read literal/%count",
                "pattern read both/%u/%c");
        ClientRules anonymous = file.rulesFor(null, "c1");
        assertThat(anonymous.mayRead("users//x")).isFalse();
        assertThat(anonymous.mayRead("both/c1/c1")).isFalse();
        assertThat(anonymous.mayWrite("clients/c1")).isTrue();

        ClientRules bob = file.rulesFor("bob", "c2");
        assertThat(bob.mayRead("users/bob/inbox")).isTrue();
        assertThat(bob.mayRead("users/alice/inbox")).isFalse();
        assertThat(bob.mayRead("both/bob/c2")).isTrue();
        assertThat(bob.mayRead("literal/%count")).isTrue();
        assertThat(bob.mayRead("literal/c2ount")).isFalse();

        // values that are not one topic level would widen the rule: the pattern does not apply
        assertThat(file.rulesFor("a/b", "c").mayRead("users/a/b/x")).isFalse();
        assertThat(file.rulesFor("+", "c").mayRead("users/anyone/x")).isFalse();
        assertThat(file.rulesFor("#", "c").mayRead("users/anyone")).isFalse();
        assertThat(file.rulesFor("u", "x+").mayWrite("clients/x+")).isFalse();
    }

    @Test
    @DisplayName("deny wins over any allow, before or after it, for topic and pattern rules")
    void denyWins() throws ConfigException {
        for (List<String> lines : List.of(
                List.of("topic deny a/secret", "topic readwrite a/#"),
                List.of("topic readwrite a/#", "topic deny a/secret"),
                List.of("topic readwrite a/#", "pattern deny a/%c"),
                List.of("pattern deny a/%c", "topic readwrite a/#"))) {
            ClientRules rules = AclFile.parse("acl", lines).rulesFor(null, "secret");
            assertThat(rules.mayRead("a/secret")).as("%s", lines).isFalse();
            assertThat(rules.mayWrite("a/secret")).as("%s", lines).isFalse();
            assertThat(rules.mayRead("a/open")).as("%s", lines).isTrue();
            // a/# overlaps the deny without being covered by it: granted, and filtered at delivery
            assertThat(rules.maySubscribe("a/#")).as("%s", lines).isTrue();
            assertThat(rules.maySubscribe("a/secret")).as("%s", lines).isFalse();
        }
    }

    @Test
    @DisplayName("SUBSCRIBE: granted when one read rule covers the filter; refused when a deny covers or matches it")
    void subscribe() throws ConfigException {
        ClientRules rules = parse(
                "topic read a/#",
                "topic write w/#",
                "topic read b/+",
                "topic deny a/+/private",
                "topic deny d/+",
                "topic read d/#",
                "topic read $SYS/broker/#").rulesFor(null, "c");
        assertThat(rules.maySubscribe("a/+/c")).isTrue();
        assertThat(rules.maySubscribe("a/#")).isTrue();
        assertThat(rules.maySubscribe("a/x/private")).isFalse();
        assertThat(rules.maySubscribe("a/+/private")).isFalse();
        assertThat(rules.maySubscribe("b/x")).isTrue();
        assertThat(rules.maySubscribe("b/#")).isFalse();
        assertThat(rules.maySubscribe("w/x")).isFalse();
        assertThat(rules.maySubscribe("#")).isFalse();
        // deny d/+ matches the filter "d/#" taken as a topic name, as Mosquitto compares them
        assertThat(rules.maySubscribe("d/#")).isFalse();
        assertThat(rules.maySubscribe("d/x/y")).isTrue();
        assertThat(rules.maySubscribe("$SYS/broker/+")).isTrue();
        assertThat(rules.maySubscribe("$SYS/#")).isFalse();
    }

    @Test
    @DisplayName("[MQTT-4.7.2-1] a rule starting with a wildcard does not reach topics starting with '$'")
    void dollarTopics() throws ConfigException {
        ClientRules rules = parse("topic #", "topic +/status").rulesFor(null, "c");
        assertThat(rules.mayRead("$SYS/status")).isFalse();
        assertThat(rules.mayWrite("$SYS/x")).isFalse();
        assertThat(rules.mayRead("any/status")).isTrue();
    }

    @Test
    @DisplayName("an empty file allows nothing")
    void empty() throws ConfigException {
        ClientRules rules = parse("# nothing").rulesFor("u", "c");
        assertThat(rules.mayRead("a")).isFalse();
        assertThat(rules.mayWrite("a")).isFalse();
        assertThat(rules.maySubscribe("a")).isFalse();
    }

    @ParameterizedTest(name = "line {1}: {0}")
    @CsvSource(delimiter = '|', value = {
            "topic sometimes a/b              | 2 | acl:2: unknown access 'sometimes': expected read, write, readwrite or deny",
            "topic                            | 2 | acl:2: 'topic' needs a topic filter",
            "topic read                       | 2 | acl:2: 'topic read' needs a topic filter after the access",
            "pattern deny                     | 2 | acl:2: 'pattern deny' needs a topic filter after the access",
            "topic read a/#/b                 | 2 | acl:2: invalid topic filter 'a/#/b': [MQTT-4.7.1-2]",
            "topic read a+                    | 2 | acl:2: invalid topic filter 'a+': [MQTT-4.7.1-3]",
            "user                             | 2 | acl:2: 'user' needs a user name",
            "users alice                      | 2 | acl:2: unknown keyword 'users': expected topic, pattern or user",
    })
    void errors(String line, int number, String message) {
        assertThatThrownBy(() -> parse("topic read ok", line, "topic read fine"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).line()).hasValue(number))
                .hasMessageStartingWith(message);
    }

    @Test
    @DisplayName("load: the file's path and line in the message; an unreadable file says so")
    void load(@TempDir Path dir) throws Exception {
        Path good = Files.writeString(dir.resolve("good.acl"), "user u\ntopic read x\n");
        assertThat(AclFile.load(good).rulesFor("u", "c").mayRead("x")).isTrue();
        Path bad = Files.writeString(dir.resolve("bad.acl"), "user u\n\ntopic maybe x\n");
        assertThatThrownBy(() -> AclFile.load(bad)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(bad + ":3: unknown access 'maybe'");
        Path missing = dir.resolve("missing.acl");
        assertThatThrownBy(() -> AclFile.load(missing)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(missing + ": cannot read the ACL file");
    }
}
