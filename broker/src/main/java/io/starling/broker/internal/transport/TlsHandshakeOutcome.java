package io.starling.broker.internal.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.starling.broker.config.BrokerConfig.CertificateIdentity;
import io.starling.broker.internal.protocol.Connection;
import io.starling.broker.internal.protocol.Peer;
import io.starling.broker.metrics.BrokerMetrics;
import java.nio.channels.ClosedChannelException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.Certificate;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateRevokedException;
import java.security.cert.X509Certificate;
import java.util.Locale;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits behind the SSL handler until the handshake ends. On success it gives the {@link
 * Connection} the client certificate's identity ({@code use_identity_as_username}) before any
 * CONNECT is read, keeping the address the connection already knows (a PROXY header's, perhaps),
 * then leaves the pipeline. On failure it logs once, with the client's address and why (no
 * certificate, not trusted, expired, revoked), counts it and closes the connection; the SSL
 * handler's own exception for it is not passed on, so that the connection does not log it again.
 */
final class TlsHandshakeOutcome extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(TlsHandshakeOutcome.class);

    private final @Nullable CertificateIdentity identity;
    private final BrokerMetrics metrics;
    private boolean failed;

    TlsHandshakeOutcome(@Nullable CertificateIdentity identity, BrokerMetrics metrics) {
        this.identity = identity;
        this.metrics = metrics;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof SslHandshakeCompletionEvent done) {
            if (done.isSuccess()) {
                succeeded(ctx);
            } else {
                failed(ctx, done.cause());
            }
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (failed || isTls(cause)) {
            // the completion event reported it; the SSL handler has sent its alert: close now
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    private void succeeded(ChannelHandlerContext ctx) {
        ctx.pipeline().remove(this);
        if (identity == null) {
            metrics.tlsHandshakesSucceeded.increment();
            return;
        }
        X509Certificate certificate = clientCertificate(ctx);
        if (certificate == null) {
            // client_auth optional and none presented: the CONNECT's user name stands
            metrics.tlsHandshakesSucceeded.increment();
            return;
        }
        Connection connection = ctx.pipeline().get(Connection.class);
        String name = CertificateIdentities.identity(certificate, identity);
        if (name == null || name.isEmpty()) {
            log.info("TLS client {} refused: its certificate {} has no {} to use as the user name",
                    ctx.channel().remoteAddress(), certificate.getSubjectX500Principal().getName(), describe(identity));
            metrics.tlsHandshakesFailed.increment();
            ctx.close();
            return;
        }
        metrics.tlsHandshakesSucceeded.increment();
        if (connection != null) {
            connection.peer(new Peer(connection.peer().address(), name));
        }
    }

    private void failed(ChannelHandlerContext ctx, Throwable cause) {
        failed = true;
        metrics.tlsHandshakesFailed.increment();
        Object peer = ctx.channel().remoteAddress();
        Connection connection = ctx.pipeline().get(Connection.class);
        if (connection != null) {
            peer = connection.peer().address();
        }
        if (cause instanceof ClosedChannelException) {
            // a port probe or a client that gave up: not worth a line each at INFO
            log.debug("TLS handshake with {} not completed: the connection closed", peer);
        } else {
            log.info("TLS handshake with {} failed: {}", peer, reason(cause));
        }
        // after what the SSL handler is doing now, so that its alert goes out first
        ctx.executor().execute(ctx::close);
    }

    private static @Nullable X509Certificate clientCertificate(ChannelHandlerContext ctx) {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        if (ssl == null) {
            return null;
        }
        try {
            Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x509 ? x509 : null;
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    /** Why a handshake failed, in a few words and then the engine's own message. */
    static String reason(Throwable cause) {
        String message = String.valueOf(cause.getMessage());
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof CertificateExpiredException) {
                return "certificate expired (" + t.getMessage() + ")";
            }
            if (t instanceof CertificateNotYetValidException) {
                return "certificate not yet valid (" + t.getMessage() + ")";
            }
            if (t instanceof CertificateRevokedException || t instanceof CertPathValidatorException v
                    && v.getReason() == CertPathValidatorException.BasicReason.REVOKED) {
                return "certificate revoked (" + t.getMessage() + ")";
            }
            if (t instanceof CertPathValidatorException v && v.getReason() == CertPathValidatorException.BasicReason.EXPIRED) {
                return "certificate expired (" + t.getMessage() + ")";
            }
            if (t instanceof NotSslRecordException) {
                return "not TLS (a plain MQTT client on a TLS port?)";
            }
            if (t.getCause() == null) {
                message = String.valueOf(t.getMessage());
            }
        }
        String lower = message.toLowerCase(Locale.ROOT) + " " + String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
        if (lower.contains("peer_did_not_return_a_certificate") || lower.contains("empty client certificate chain")
                || lower.contains("certificate_required") || lower.contains("empty certificate chain")) {
            return "no client certificate (" + message + ")";
        }
        if (lower.contains("unable to find valid certification path") || lower.contains("no trusted certificate")
                || lower.contains("certificate_unknown") || lower.contains("unknown_ca") || lower.contains("path building failed")) {
            return "certificate not trusted (" + message + ")";
        }
        return message;
    }

    private static boolean isTls(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                return true;
            }
        }
        return false;
    }

    private static String describe(CertificateIdentity identity) {
        return switch (identity) {
            case CN -> "common name (CN)";
            case SAN_DNS -> "DNS subject alternative name";
            case SAN_EMAIL -> "e-mail subject alternative name";
            case SAN_URI -> "URI subject alternative name";
        };
    }
}
