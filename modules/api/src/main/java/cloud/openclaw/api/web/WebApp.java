package cloud.openclaw.api.web;

import cloud.openclaw.api.web.WebFiles.WebFile;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Optional;
import java.util.Set;

/**
 * The web app (web/, built by Vite): one index.html for every page path, which the app's router
 * then draws, and the files it loads. Registered after every API route, so it only sees what no API
 * route answered: a path that is neither a page nor a file falls through to the usual 404, except
 * that a browser asking for HTML gets the app's own "nothing here" page (with status 404).
 *
 * <p>The pages carry a strict Content-Security-Policy: scripts, styles and connections to this
 * origin only (the build inlines nothing), so an injected string can never run as script.
 */
public final class WebApp implements HttpService {
  /** The app's page paths (web/src/App.tsx), besides everything under {@code /console/}. */
  public static final Set<String> PAGES =
      Set.of(
          "/",
          "/start",
          "/signin",
          "/dashboard",
          "/billing/done",
          "/billing/cancelled",
          "/console");

  static final String CSP =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none';"
          + " form-action 'self'; frame-ancestors 'none'";

  private static final String NOT_BUILT =
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>OpenClaw Cloud"
          + "</title></head><body><h1>The web app is not built</h1><p>Build it with"
          + " <code>./openclaw-cloud dev</code> (or <code>cd web &amp;&amp; npm ci &amp;&amp; npm"
          + " run build</code>, then point <code>api.web.dir</code> at web/dist).</p></body></html>";

  private final WebFiles files;

  public WebApp(WebFiles files) {
    this.files = files;
  }

  @Override
  public void routing(HttpRules rules) {
    rules.get("/*", this::serve);
  }

  private void serve(ServerRequest request, ServerResponse response) {
    String path = request.path().path();
    if (isPage(path)) {
      page(request, response, Status.OK_200);
      return;
    }
    Optional<WebFile> file =
        path.equals("/index.html") ? Optional.empty() : files.find(path.substring(1));
    if (file.isPresent()) {
      response.header(
          HeaderNames.CACHE_CONTROL,
          // Vite names what it builds under assets/ by content hash: a name never changes meaning.
          path.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache");
      send(request, response, file.get());
    } else if (wantsHtml(request)) {
      page(request, response, Status.NOT_FOUND_404);
    } else {
      response.next();
    }
  }

  static boolean isPage(String path) {
    String page =
        path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    return PAGES.contains(page) || page.startsWith("/console/");
  }

  private void page(ServerRequest request, ServerResponse response, Status status) {
    response.status(status);
    response.header("Content-Security-Policy", CSP);
    response.header("Referrer-Policy", "same-origin");
    response.header(HeaderNames.CACHE_CONTROL, "no-cache");
    Optional<WebFile> index = files.find("index.html");
    if (index.isEmpty()) {
      response.status(Status.SERVICE_UNAVAILABLE_503);
      response.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
      response.send(NOT_BUILT);
      return;
    }
    send(request, response, index.get());
  }

  private static void send(ServerRequest request, ServerResponse response, WebFile file) {
    response.header(HeaderNames.CONTENT_TYPE, ContentTypes.of(file.path()));
    response.header("X-Content-Type-Options", "nosniff");
    if (file.gzipped() != null) {
      response.header(HeaderNames.VARY, "Accept-Encoding");
      if (acceptsGzip(request)) {
        response.header(HeaderNames.CONTENT_ENCODING, "gzip");
        response.send(file.gzipped());
        return;
      }
    }
    response.send(file.bytes());
  }

  private static boolean acceptsGzip(ServerRequest request) {
    return request
        .headers()
        .first(HeaderNames.ACCEPT_ENCODING)
        .map(value -> value.toLowerCase(java.util.Locale.ROOT).contains("gzip"))
        .orElse(false);
  }

  private static boolean wantsHtml(ServerRequest request) {
    return request
        .headers()
        .first(HeaderNames.ACCEPT)
        .map(a -> a.contains("text/html"))
        .orElse(false);
  }
}
