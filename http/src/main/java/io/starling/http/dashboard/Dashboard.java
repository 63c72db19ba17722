package io.starling.http.dashboard;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.starling.http.server.HttpError;
import io.starling.http.server.Reply;
import io.starling.http.server.Routes;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Serves the dashboard: {@code index.html} at each page's path (the app reads the path and shows
 * that page, so every page can be bookmarked), its files under {@code /assets/}, and the uPlot
 * charting library from its WebJar under {@code /webjars/uplot/}. Everything comes from the jar,
 * nothing from the network.
 */
public final class Dashboard {
    /** The pages, by first path segment ({@code ""} is the overview). */
    public static final List<String> PAGES = List.of("", "clients", "subscriptions", "topics", "publish", "live");

    private static final String FILES = "/io/starling/http/dashboard/";
    private static final String WEBJAR = "/META-INF/resources/webjars/uplot/";
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon");

    private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

    public void addTo(Routes routes) {
        routes.add(HttpMethod.GET, "/", Routes.Threading.IO, (request, params) -> page());
        for (String page : PAGES.subList(1, PAGES.size())) {
            routes.add(HttpMethod.GET, "/" + page, Routes.Threading.IO, (request, params) -> page());
            routes.add(HttpMethod.GET, "/" + page + "/**", Routes.Threading.IO, (request, params) -> page());
        }
        routes.add(HttpMethod.GET, "/assets/{file}", Routes.Threading.IO,
                (request, params) -> file(FILES, String.valueOf(params.get("file")), 0));
        // versioned paths: a browser may keep them for a day
        routes.add(HttpMethod.GET, "/webjars/uplot/**", Routes.Threading.IO,
                (request, params) -> file(WEBJAR, String.valueOf(params.get("**")), 86_400));
    }

    private Reply page() {
        return file(FILES, "index.html", 0);
    }

    private Reply file(String base, String name, int cacheSeconds) {
        if (name.isEmpty() || name.contains("..") || name.startsWith("/") || name.contains("\\")) {
            throw HttpError.notFound("no such file");
        }
        byte[] body = cache.computeIfAbsent(base + name, Dashboard::read);
        if (body == null) {
            throw HttpError.notFound("no such file: " + name);
        }
        String type = TYPES.getOrDefault(extension(name), "application/octet-stream");
        return new Reply(HttpResponseStatus.OK, type, body, cacheSeconds);
    }

    private static String extension(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    /** The resource's bytes, or null (not remembered) when it does not exist. */
    private static byte @Nullable [] read(String resource) {
        try (@Nullable InputStream in = Dashboard.class.getResourceAsStream(resource)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource + " from the jar", e);
        }
    }
}
