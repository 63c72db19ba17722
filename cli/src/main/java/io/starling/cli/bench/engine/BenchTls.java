package io.starling.cli.bench.engine;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * TLS from the bench to the broker: the server's certificate must chain to {@code caFile} (or,
 * without one, to the JVM's default trusted CAs) and name the host the bench connects to, as
 * {@code mosquitto_pub --cafile} checks it. The bench's own TLS is OpenSSL (netty-tcnative) where
 * it is available, so that the client side costs as little as possible.
 *
 * @param caFile PEM certificates to trust, or null for the JVM's defaults
 */
public record BenchTls(@Nullable Path caFile) {
    public BenchTls {
        if (caFile != null && !Files.isReadable(caFile)) {
            throw new IllegalArgumentException("cannot read the CA file " + caFile);
        }
    }

    /** The client context every connection of a run shares. */
    SslContext clientContext() {
        SslContextBuilder builder = SslContextBuilder.forClient()
                .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
                .endpointIdentificationAlgorithm("HTTPS");
        if (caFile != null) {
            File file = caFile.toFile();
            builder.trustManager(file);
        }
        try {
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new BenchException("cannot use " + (caFile != null ? "the CA file " + caFile : "TLS") + ": " + e.getMessage());
        }
    }
}
