package cloud.openclaw.launcher.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The browser fixture itself, on small pages served with the site's Content-Security-Policy: it
 * passes a clean page and catches what it promises to catch (console errors, CSP violations,
 * unexpected error responses, accessibility violations, a page wider than a phone).
 */
class WebPageE2E {
  @RegisterExtension static final Browser browser = new Browser();

  static final String CSP =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'";

  static final Map<String, String> pages = new ConcurrentHashMap<>();
  static HttpServer server;
  static String url;

  @BeforeAll
  static void serve() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          String path = exchange.getRequestURI().getPath();
          String body = pages.get(path);
          byte[] bytes = (body == null ? "not found" : body).getBytes(StandardCharsets.UTF_8);
          String type =
              path.endsWith(".js")
                  ? "text/javascript"
                  : path.endsWith(".css") ? "text/css" : "text/html; charset=utf-8";
          exchange.getResponseHeaders().add("Content-Type", type);
          exchange.getResponseHeaders().add("Content-Security-Policy", CSP);
          exchange.sendResponseHeaders(body == null ? 404 : 200, bytes.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
          }
        });
    server.start();
    url = "http://127.0.0.1:" + server.getAddress().getPort();
    pages.put("/app.js", "performance.mark('app-ready'); document.body.dataset.ready = 'yes';");
    pages.put("/site.css", "body { font: 16px sans-serif; color: #222; background: #fff; }");
    pages.put("/good", page("Good", "<main><h1>A good page</h1><p>Readable.</p></main>"));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  static String page(String title, String body) {
    return "<!doctype html><html lang=en><head><meta charset=utf-8><title>"
        + title
        + "</title><link rel=stylesheet href=/site.css>"
        + "<script type=module src=/app.js></script></head><body>"
        + body
        + "</body></html>";
  }

  @Test
  void aCleanPagePassesWithScreenshotsAndItsNumbers() {
    try (WebPage page = browser.open(url)) {
      page.open("/good");
      page.assertAccessible();
      assertThat(page.screenshots("fixture-good"))
          .extracting(path -> path.getFileName().toString())
          .containsExactly("fixture-good-1280.png", "fixture-good-390.png");
      assertThat(WebPage.SCREENSHOTS.resolve("fixture-good-390.png")).isNotEmptyFile();

      Performance performance = page.performance();
      System.out.println("WebPageE2E: " + performance.summary());
      assertThat(performance.firstContentfulPaint()).isPositive();
      assertThat(performance.timeToInteractive())
          .isGreaterThanOrEqualTo(performance.firstContentfulPaint());
      assertThat(performance.marks()).containsKey("app-ready");
      assertThat(performance.scripts())
          .singleElement()
          .satisfies(
              script -> {
                assertThat(script.url()).endsWith("/app.js");
                assertThat(script.bytes()).isPositive();
                assertThat(script.gzipBytes()).isPositive();
                assertThat(script.transferBytes()).isGreaterThan(script.bytes());
              });
    }
  }

  @Test
  void consoleErrorsCspViolationsAndUnexpectedResponsesFailTheTest() {
    pages.put(
        "/bad.js", "console.error('something broke'); fetch('/missing-data').catch(() => {});");
    pages.put(
        "/bad",
        page(
            "Bad",
            "<main><h1>Bad</h1><script>window.inline = 1</script>"
                + "<script type=module src=/bad.js></script></main>"));
    WebPage page = browser.open(url);
    page.open("/bad");
    page.performance(); // the network quiet: the fetch has answered
    assertThatThrownBy(page::close)
        .hasMessageContaining("console error: something broke")
        .hasMessageContaining("Content Security Policy")
        .hasMessageContaining("unexpected response 404")
        .hasMessageContaining("/missing-data");
  }

  @Test
  void anAllowedResponseIsNoProblem() {
    pages.put("/expects-404.js", "fetch('/me').catch(() => {});");
    pages.put(
        "/expects-404",
        page("Expected", "<main><h1>Signed out</h1></main>").replace("/app.js", "/expects-404.js"));
    try (WebPage page = browser.open(url)) {
      page.allow(404, "/me");
      page.open("/expects-404");
      page.performance();
      assertThat(page.problems()).isEmpty();
    }
  }

  @Test
  void accessibilityViolationsAreListedReadably() {
    pages.put(
        "/inaccessible",
        page(
            "Inaccessible",
            "<main><h1>Form</h1><img src=/favicon.png><input type=text>"
                + "<button></button></main>"));
    try (WebPage page = browser.open(url)) {
      page.allow(404, "/favicon.png");
      page.open("/inaccessible");
      assertThatThrownBy(page::assertAccessible)
          .hasMessageContaining("serious/critical accessibility violation")
          .hasMessageContaining("- image-alt (critical)")
          .hasMessageContaining("- label (")
          .hasMessageContaining("- button-name (critical)")
          .hasMessageContaining("at input")
          .hasMessageContaining("https://dequeuniversity.com/rules/axe/");
    }
  }

  @Test
  void aPageWiderThanAPhoneFailsAfterItsScreenshots() throws IOException {
    pages.put("/wide.css", ".wide { width: 600px; height: 20px; }");
    pages.put(
        "/wide",
        page("Wide", "<main><h1>Wide</h1><div class=wide id=banner></div></main>")
            .replace("/site.css", "/wide.css"));
    try (WebPage page = browser.open(url)) {
      page.open("/wide");
      assertThatThrownBy(() -> page.screenshots("fixture-wide"))
          .hasMessageContaining("scrolls sideways")
          .hasMessageContaining("390 px: div#banner.wide to 608 px")
          .hasMessageNotContaining("1280 px:");
      assertThat(Files.size(WebPage.SCREENSHOTS.resolve(Path.of("fixture-wide-390.png"))))
          .isPositive();
    }
  }
}
