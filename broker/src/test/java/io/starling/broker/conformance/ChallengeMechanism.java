package io.starling.broker.conformance;

import io.starling.broker.spi.AuthenticationMechanism;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * A two-step enhanced authentication mechanism for the tests, found through the test class path's
 * {@code META-INF/services}: the client opens with "hello", is challenged with "challenge", and
 * passes when it answers "response", with "welcome" as the final data.
 */
public final class ChallengeMechanism implements AuthenticationMechanism {
    static final String METHOD = "STARLING-TEST-CHALLENGE";

    @Override
    public String method() {
        return METHOD;
    }

    @Override
    public Exchange start(String clientId, @Nullable String username, boolean reauthentication) {
        return new Exchange() {
            private boolean challenged;

            @Override
            public Step next(byte @Nullable [] data) {
                if (!challenged) {
                    if (!Arrays.equals(data, utf8("hello"))) {
                        return new Step.Failure("expected hello");
                    }
                    challenged = true;
                    return new Step.Continue(utf8("challenge"));
                }
                return Arrays.equals(data, utf8("response")) ? new Step.Success(utf8("welcome")) : new Step.Failure("wrong response");
            }
        };
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
