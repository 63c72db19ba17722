package io.starling.http.server;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.starling.http.auth.Credentials;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers each request read whole: finds its route, checks its credentials and origin, runs its
 * endpoint (off the I/O thread when it may wait on the broker) and writes the reply.
 */
@ChannelHandler.Sharable
public final class RequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(RequestHandler.class);
    /** The dashboard's own files only: no inline script, nothing from elsewhere, never in a frame. */
    private static final String CONTENT_SECURITY_POLICY = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:;"
            + " frame-ancestors 'none'";

    private final Routes routes;
    private final Credentials credentials;
    private final Executor blocking;

    public RequestHandler(Routes routes, Credentials credentials, Executor blocking) {
        this.routes = routes;
        this.credentials = credentials;
        this.blocking = blocking;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        boolean head = request.method().equals(HttpMethod.HEAD);
        if (!request.decoderResult().isSuccess()) {
            write(ctx, Reply.error(HttpResponseStatus.BAD_REQUEST, "malformed request"), false, false);
            return;
        }
        HttpRequest parsed;
        Routes.Match match;
        try {
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            List<String> segments = segments(uri.rawPath());
            match = routes.match(request.method(), segments);
            String user = null;
            if (!match.open()) {
                user = credentials.authenticate(request.headers().get(HttpHeaderNames.AUTHORIZATION));
                if (user == null && !credentials.anonymousAllowed()) {
                    write(ctx, unauthorized(), keepAlive, head);
                    return;
                }
                checkOrigin(request);
            }
            Map<String, String> query = new HashMap<>();
            uri.parameters().forEach((name, values) -> query.put(name, values.get(0)));
            parsed = new HttpRequest(request.method(), uri.rawPath(), segments, query, request.headers().copy(),
                    ByteBufUtil.getBytes(request.content()), user, ctx.channel());
        } catch (HttpError e) {
            write(ctx, Reply.error(e.status(), String.valueOf(e.getMessage())), keepAlive, head);
            return;
        }
        if (match.threading() == Routes.Threading.IO) {
            answer(ctx, match, parsed, keepAlive, head);
            return;
        }
        try {
            blocking.execute(() -> answer(ctx, match, parsed, keepAlive, head));
        } catch (RejectedExecutionException e) {
            write(ctx, Reply.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "the HTTP listener is stopping"), false, head);
        }
    }

    private void answer(ChannelHandlerContext ctx, Routes.Match match, HttpRequest request, boolean keepAlive, boolean head) {
        Reply reply;
        try {
            reply = match.endpoint().handle(request, match.params());
        } catch (HttpError e) {
            reply = Reply.error(e.status(), String.valueOf(e.getMessage()));
        } catch (IllegalArgumentException e) {
            reply = Reply.error(HttpResponseStatus.BAD_REQUEST, String.valueOf(e.getMessage()));
        } catch (Exception e) {
            log.warn("HTTP {} {} failed", request.method(), request.path(), e);
            reply = Reply.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error: " + e);
        }
        if (reply != Reply.STREAMING) {
            write(ctx, reply, keepAlive, head);
        }
    }

    /** The path's segments, each percent-decoded on its own; {@code +} stays a plus sign in a path. */
    static List<String> segments(String rawPath) {
        List<String> segments = new ArrayList<>();
        if (rawPath.isEmpty() || rawPath.equals("/")) {
            return segments;
        }
        String[] parts = rawPath.substring(rawPath.startsWith("/") ? 1 : 0).split("/", -1);
        for (String part : parts) {
            try {
                segments.add(QueryStringDecoder.decodeComponent(part.replace("+", "%2B")));
            } catch (IllegalArgumentException e) {
                throw HttpError.badRequest("malformed percent-encoding in the path");
            }
        }
        return segments;
    }

    /**
     * Refuses a request that changes something when a browser sent it from another site's page
     * (its {@code Origin} names another host): credentials the browser remembers, or an open
     * loopback listener, must not let any web page act on the broker.
     */
    private static void checkOrigin(FullHttpRequest request) {
        HttpMethod method = request.method();
        if (method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD) || method.equals(HttpMethod.OPTIONS)) {
            return;
        }
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        if (origin == null) {
            return;
        }
        String host = request.headers().get(HttpHeaderNames.HOST);
        String originHost;
        try {
            originHost = URI.create(origin).getRawAuthority();
        } catch (IllegalArgumentException e) {
            originHost = null;
        }
        if (host == null || !host.equalsIgnoreCase(originHost)) {
            throw new HttpError(HttpResponseStatus.FORBIDDEN, "cross-site request refused: Origin " + origin + " is not this server");
        }
    }

    private static Reply unauthorized() {
        return Reply.error(HttpResponseStatus.UNAUTHORIZED, "credentials needed: HTTP Basic (a user of http.password_file) or a bearer token");
    }

    private static void write(ChannelHandlerContext ctx, Reply reply, boolean keepAlive, boolean head) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, reply.status(),
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(reply.body()));
        HttpHeaders headers = response.headers();
        if (!reply.contentType().isEmpty()) {
            headers.set(HttpHeaderNames.CONTENT_TYPE, reply.contentType());
        }
        headers.setInt(HttpHeaderNames.CONTENT_LENGTH, reply.body().length);
        headers.set(HttpHeaderNames.CACHE_CONTROL, reply.cacheSeconds() > 0 ? "max-age=" + reply.cacheSeconds() : "no-store");
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        headers.set("Referrer-Policy", "no-referrer");
        if (reply.status().equals(HttpResponseStatus.UNAUTHORIZED)) {
            headers.add(HttpHeaderNames.WWW_AUTHENTICATE, "Basic realm=\"starling\", charset=\"UTF-8\"");
            headers.add(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"starling\"");
        }
        if (keepAlive) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response);
        } else {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("HTTP connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
