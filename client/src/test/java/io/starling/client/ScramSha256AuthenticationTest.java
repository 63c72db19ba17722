package io.starling.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.starling.broker.auth.PasswordFile;
import io.starling.broker.auth.PasswordHash;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.internal.auth.Authentication;
import io.starling.broker.internal.auth.ScramSha256Mechanism;
import io.starling.broker.spi.AuthenticationMechanism;
import io.starling.broker.spi.AuthenticationMechanism.Step;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The client side of SCRAM-SHA-256: RFC 7677's test vector, and whole exchanges with the broker's own mechanism. */
class ScramSha256AuthenticationTest {
    // RFC 7677 section 3
    private static final String CLIENT_NONCE = "rOprNGfwEbeRWgbNEkqO";
    private static final String NONCE = CLIENT_NONCE + "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private static final String SERVER_FIRST = "r=" + NONCE + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    private static final String CLIENT_FINAL = "c=biws,r=" + NONCE + ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    private static final String SERVER_FINAL = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";
    private static final String NOT_PROVEN = "the server did not prove it knows the password";
    private static final byte[] BINARY_PASSWORD = {(byte) 0xff, 0x00, (byte) 0xc3, 0x28}; // not UTF-8

    private Authentication authentication;
    private ScramSha256Mechanism mechanism;

    @BeforeEach
    void mechanism() throws Exception {
        PasswordFile passwords = PasswordFile.parse("passwd", List.of(
                "user:" + scram(utf8("pencil")),
                "a,b=c:" + scram(utf8("pencil")),
                "binary:" + scram(BINARY_PASSWORD),
                "plain:" + PasswordHash.create(PasswordHash.Form.PBKDF2_SHA512, utf8("pencil"), 100).encoded()));
        authentication = new Authentication(BrokerConfig.defaults(), List.of(), 1, 1);
        authentication.replace(BrokerConfig.defaults(), passwords);
        mechanism = new ScramSha256Mechanism(authentication);
    }

    @AfterEach
    void close() {
        authentication.close();
    }

    private static String scram(byte[] password) {
        return PasswordHash.create(PasswordHash.Form.SCRAM_SHA256, password, 4096).encoded();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(UTF_8);
    }

    private static String text(byte[] data) {
        return new String(data, UTF_8);
    }

    /** The RFC 7677 client, with its fixed nonce. */
    private static EnhancedAuthentication.Exchange rfcExchange() {
        return new ScramSha256Authentication("user", utf8("pencil"), () -> CLIENT_NONCE).start(false);
    }

    /** Client-first to the server, its server-first to the client, the client-final to the server: the server's verdict. */
    private static Step drive(EnhancedAuthentication.Exchange client, AuthenticationMechanism.Exchange server) {
        Step serverFirst = server.next(client.initialData());
        assertThat(serverFirst).isInstanceOf(Step.Continue.class);
        return server.next(client.challenge(((Step.Continue) serverFirst).data()));
    }

    @Test
    @DisplayName("RFC 7677 section 3: the test vector's client-first and client-final, and its server signature accepted")
    void rfc7677TestVector() {
        EnhancedAuthentication.Exchange exchange = rfcExchange();
        assertThat(text(exchange.initialData())).isEqualTo("n,,n=user,r=" + CLIENT_NONCE);
        assertThat(text(exchange.challenge(utf8(SERVER_FIRST)))).isEqualTo(CLIENT_FINAL);
        exchange.succeeded(utf8(SERVER_FINAL));
    }

    @Test
    @DisplayName("a whole exchange with the broker's SCRAM-SHA-256 mechanism lets the user in, and its signature is accepted")
    void exchangeWithBroker() {
        ScramSha256Authentication scram = new ScramSha256Authentication("user", "pencil");
        assertThat(scram.method()).isEqualTo(mechanism.method()).isEqualTo("SCRAM-SHA-256");
        for (boolean reauthentication : new boolean[] {false, true}) {
            EnhancedAuthentication.Exchange client = scram.start(reauthentication);
            Step verdict = drive(client, mechanism.start("scram-client", "user", reauthentication));
            assertThat(verdict).isInstanceOf(Step.Success.class);
            assertThat(((Step.Success) verdict).username()).isEqualTo("user");
            client.succeeded(((Step.Success) verdict).data());
        }
    }

    @Test
    @DisplayName("a password that is not UTF-8 is hashed byte for byte, as the broker's credentials are")
    void binaryPassword() {
        EnhancedAuthentication.Exchange client = new ScramSha256Authentication("binary", BINARY_PASSWORD).start(false);
        Step verdict = drive(client, mechanism.start("scram-client", null, false));
        assertThat(verdict).isInstanceOf(Step.Success.class);
        client.succeeded(((Step.Success) verdict).data());
    }

    @Test
    @DisplayName("the broker refuses a wrong password, an unknown user and a user without SCRAM credentials")
    void brokerRefuses() {
        for (ScramSha256Authentication scram : List.of(new ScramSha256Authentication("user", "pen"),
                new ScramSha256Authentication("nobody", "pencil"), new ScramSha256Authentication("plain", "pencil"))) {
            Step verdict = drive(scram.start(false), mechanism.start("scram-client", null, false));
            assertThat(verdict).as(scram.username()).isInstanceOf(Step.Failure.class);
        }
    }

    @Test
    @DisplayName("a server signature from another exchange (a replay) does not prove the server")
    void replayedServerSignature() {
        ScramSha256Authentication scram = new ScramSha256Authentication("user", "pencil");
        EnhancedAuthentication.Exchange first = scram.start(false);
        Step firstVerdict = drive(first, mechanism.start("scram-client", "user", false));
        EnhancedAuthentication.Exchange second = scram.start(false);
        Step secondVerdict = drive(second, mechanism.start("scram-client", "user", false));
        assertThat(secondVerdict).isInstanceOf(Step.Success.class);
        assertThatThrownBy(() -> second.succeeded(((Step.Success) firstVerdict).data()))
                .isInstanceOf(MqttClientException.class).hasMessage(NOT_PROVEN);
    }

    @Test
    @DisplayName("RFC 5802 section 9: a forged, missing or malformed server signature fails; an e= error is reported")
    void forgedServerSignature() {
        byte[] forged = Base64.getDecoder().decode(SERVER_FINAL.substring(2));
        forged[31] ^= 1;
        for (byte[] data : List.of(utf8("v=" + Base64.getEncoder().encodeToString(forged)), utf8("v="), utf8("v=!!"),
                utf8("x=" + SERVER_FINAL.substring(2)))) {
            EnhancedAuthentication.Exchange exchange = rfcExchange();
            exchange.challenge(utf8(SERVER_FIRST));
            assertThatThrownBy(() -> exchange.succeeded(data)).as(text(data))
                    .isInstanceOf(MqttClientException.class).hasMessage(NOT_PROVEN);
        }
        EnhancedAuthentication.Exchange noData = rfcExchange();
        noData.challenge(utf8(SERVER_FIRST));
        assertThatThrownBy(() -> noData.succeeded(null)).isInstanceOf(MqttClientException.class).hasMessage(NOT_PROVEN);

        EnhancedAuthentication.Exchange error = rfcExchange();
        error.challenge(utf8(SERVER_FIRST));
        assertThatThrownBy(() -> error.succeeded(utf8("e=invalid-proof"))).isInstanceOf(MqttClientException.class)
                .hasMessageContaining("invalid-proof");

        // success with no challenge at all: the server proved nothing
        assertThatThrownBy(() -> rfcExchange().succeeded(utf8(SERVER_FINAL))).isInstanceOf(MqttClientException.class)
                .hasMessageStartingWith(NOT_PROVEN);
    }

    @Test
    @DisplayName("RFC 5802 section 5.1: a server nonce that does not extend the client's is refused")
    void nonceNotExtendingTheClients() {
        for (String nonce : List.of("XOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0", CLIENT_NONCE, "%hvYD" + CLIENT_NONCE)) {
            EnhancedAuthentication.Exchange exchange = rfcExchange();
            assertThatThrownBy(() -> exchange.challenge(utf8("r=" + nonce + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")))
                    .as(nonce).isInstanceOf(MqttClientException.class).hasMessageContaining("nonce");
        }
    }

    @Test
    @DisplayName("RFC 7677 section 4: fewer than 4096 or more than 10,000,000 iterations are refused")
    void iterationBounds() {
        for (String count : List.of("4095", "10000001", "0", "-1", "lots")) {
            EnhancedAuthentication.Exchange exchange = rfcExchange();
            assertThatThrownBy(() -> exchange.challenge(utf8("r=" + NONCE + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=" + count)))
                    .as(count).isInstanceOf(MqttClientException.class).hasMessageContaining(count);
        }
    }

    @Test
    @DisplayName("a malformed challenge, a missing one, or one out of turn ends the exchange with MqttClientException")
    void challengeOutOfTurn() {
        for (String serverFirst : List.of("", "s=W22ZaJ0SNY7soEsUEjb6gQ==,r=" + NONCE + ",i=4096", "m=ext," + SERVER_FIRST,
                "r=" + NONCE + ",s=,i=4096", "r=" + NONCE + ",s=***,i=4096")) {
            assertThatThrownBy(() -> rfcExchange().challenge(utf8(serverFirst))).as(serverFirst).isInstanceOf(MqttClientException.class);
        }
        assertThatThrownBy(() -> rfcExchange().challenge(null)).isInstanceOf(MqttClientException.class);

        EnhancedAuthentication.Exchange twice = rfcExchange();
        twice.challenge(utf8(SERVER_FIRST));
        assertThatThrownBy(() -> twice.challenge(utf8(SERVER_FIRST))).isInstanceOf(MqttClientException.class);
        // the exchange is over: even the right signature is not taken now
        assertThatThrownBy(() -> twice.succeeded(utf8(SERVER_FINAL))).isInstanceOf(MqttClientException.class);

        EnhancedAuthentication.Exchange afterFailure = rfcExchange();
        assertThatThrownBy(() -> afterFailure.challenge(utf8("r=x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"))).isInstanceOf(MqttClientException.class);
        assertThatThrownBy(() -> afterFailure.challenge(utf8(SERVER_FIRST))).isInstanceOf(MqttClientException.class);
    }

    @Test
    @DisplayName("RFC 5802 section 5.1: ',' and '=' in the user name are sent as =2C and =3D, and the broker reads them back")
    void userNameEscapes() {
        assertThat(text(new ScramSha256Authentication("a,b=c", utf8("pencil"), () -> "nonce").start(false).initialData()))
                .isEqualTo("n,,n=a=2Cb=3Dc,r=nonce");
        assertThat(text(new ScramSha256Authentication("=,=2C", utf8("x"), () -> "n").start(false).initialData()))
                .isEqualTo("n,,n==3D=2C=3D2C,r=n");

        EnhancedAuthentication.Exchange client = new ScramSha256Authentication("a,b=c", "pencil").start(false);
        Step verdict = drive(client, mechanism.start("scram-client", "a,b=c", false));
        assertThat(verdict).isInstanceOf(Step.Success.class);
        assertThat(((Step.Success) verdict).username()).isEqualTo("a,b=c");
        client.succeeded(((Step.Success) verdict).data());
    }

    @Test
    @DisplayName("each start has a fresh random nonce of printable Base64")
    void freshNonces() {
        ScramSha256Authentication scram = new ScramSha256Authentication("user", "pencil");
        String first = text(scram.start(false).initialData());
        String second = text(scram.start(true).initialData());
        assertThat(first).matches("n,,n=user,r=[A-Za-z0-9+/]{24}");
        assertThat(second).matches("n,,n=user,r=[A-Za-z0-9+/]{24}").isNotEqualTo(first);
    }
}
