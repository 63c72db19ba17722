package io.starling.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away certificate authority, made with the {@code openssl} command in a test's temporary
 * directory: {@code ca.crt}, a server certificate for {@code localhost} and {@code 127.0.0.1}
 * ({@code server.crt}, {@code server.key}) and a client certificate ({@code client.crt},
 * {@code client.key}, PKCS#8; also as the PKCS#12 key store {@code client.p12}, beside the PKCS#12
 * trust store {@code trust.p12} of the CA), a server certificate for another host only ({@code
 * elsewhere.crt}, {@code elsewhere.key}), all signed by the CA; and a second CA ({@code other-ca.crt}) that
 * signed none of them.
 */
final class TestCertificates {
    /** The password of {@link #trustStore()} and {@link #clientKeyStore()}. */
    static final String STORE_PASSWORD = "changeit";

    final Path dir;

    private TestCertificates(Path dir) {
        this.dir = dir;
    }

    static TestCertificates create(Path dir) throws IOException, InterruptedException {
        TestCertificates certs = new TestCertificates(dir);
        certs.openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Starling Test CA",
                "-keyout", "ca.key", "-out", "ca.crt");
        certs.openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Other CA",
                "-keyout", "other-ca.key", "-out", "other-ca.crt");
        Files.writeString(dir.resolve("server.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
        certs.issue("server", "/CN=localhost", "server.ext");
        certs.issue("client", "/CN=starling-test-client", null);
        Files.writeString(dir.resolve("elsewhere.ext"), "subjectAltName=DNS:elsewhere.example\n");
        certs.issue("elsewhere", "/CN=elsewhere.example", "elsewhere.ext");
        certs.openssl("pkcs12", "-export", "-in", "client.crt", "-inkey", "client.key", "-name", "client",
                "-out", "client.p12", "-passout", "pass:" + STORE_PASSWORD);
        certs.keytool("-importcert", "-noprompt", "-alias", "ca", "-file", "ca.crt", "-keystore", "trust.p12",
                "-storetype", "PKCS12", "-storepass", STORE_PASSWORD);
        return certs;
    }

    Path ca() {
        return dir.resolve("ca.crt");
    }

    Path otherCa() {
        return dir.resolve("other-ca.crt");
    }

    Path serverCert() {
        return dir.resolve("server.crt");
    }

    Path serverKey() {
        return dir.resolve("server.key");
    }

    /** A PKCS#12 trust store holding the CA's certificate. */
    Path trustStore() {
        return dir.resolve("trust.p12");
    }

    /** A PKCS#12 key store holding the client certificate and its key. */
    Path clientKeyStore() {
        return dir.resolve("client.p12");
    }

    Path otherHostCert() {
        return dir.resolve("elsewhere.crt");
    }

    Path otherHostKey() {
        return dir.resolve("elsewhere.key");
    }

    Path clientCert() {
        return dir.resolve("client.crt");
    }

    Path clientKey() {
        return dir.resolve("client.key");
    }

    private void issue(String name, String subject, String extensions) throws IOException, InterruptedException {
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout", name + ".key", "-out", name + ".csr");
        List<String> sign = new ArrayList<>(List.of("x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                "-CAcreateserial", "-days", "2", "-out", name + ".crt"));
        if (extensions != null) {
            sign.addAll(List.of("-extfile", extensions));
        }
        openssl(sign.toArray(String[]::new));
    }

    private void keytool(String... args) throws IOException, InterruptedException {
        run(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), args);
    }

    private void openssl(String... args) throws IOException, InterruptedException {
        run("openssl", args);
    }

    private void run(String tool, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(tool);
        command.addAll(List.of(args));
        Path log = dir.resolve("tools.log");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        boolean done = p.waitFor(30, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        assertThat(done && p.exitValue() == 0).as("%s %s%n%s", tool, String.join(" ", args),
                Files.readString(log, StandardCharsets.UTF_8)).isTrue();
    }
}
