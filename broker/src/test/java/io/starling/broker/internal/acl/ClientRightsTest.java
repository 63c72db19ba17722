package io.starling.broker.internal.acl;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.config.ConfigException;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ClientRightsTest {

    @Test
    @DisplayName("without an ACL file everything is allowed")
    void noFile() {
        ClientRights rights = new AccessControl(null).rights(null, "c");
        assertThat(rights.mayRead("$SYS/x")).isTrue();
        assertThat(rights.mayWrite("a/b")).isTrue();
        assertThat(rights.maySubscribe("#")).isTrue();
    }

    @Test
    @DisplayName("a reload takes effect at the next check, cached decisions included; null allows everything again")
    void reload() throws ConfigException {
        AccessControl control = new AccessControl(AclFile.parse("one", List.of("user u", "topic read a/#")));
        ClientRights rights = control.rights("u", "c");
        assertThat(rights.mayRead("a/b")).isTrue();
        assertThat(rights.mayRead("a/b")).isTrue();
        assertThat(rights.mayRead("b/c")).isFalse();

        control.reload(AclFile.parse("two", List.of("user u", "topic read b/#")));
        assertThat(rights.mayRead("a/b")).isFalse();
        assertThat(rights.mayRead("b/c")).isTrue();
        assertThat(rights.maySubscribe("b/#")).isTrue();

        control.reload(null);
        assertThat(rights.mayRead("a/b")).isTrue();
        assertThat(rights.mayWrite("z")).isTrue();
    }

    @Test
    @DisplayName("the cache is bounded: past its limit it starts afresh and still answers right")
    void boundedCache() throws ConfigException {
        ClientRights rights = new AccessControl(AclFile.parse("acl", List.of("topic read even/#"))).rights(null, "c");
        for (int i = 0; i < ClientRights.CACHE_LIMIT * 3; i++) {
            assertThat(rights.mayRead((i % 2 == 0 ? "even/" : "odd/") + i)).isEqualTo(i % 2 == 0);
        }
        assertThat(rights.mayRead("even/0")).isTrue();
        assertThat(rights.mayRead("odd/1")).isFalse();
    }
}
