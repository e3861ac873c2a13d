package cloud.openclaw.launcher.web;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.ConsoleMessage;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Request;
import com.microsoft.playwright.Response;
import com.microsoft.playwright.options.LoadState;
import com.microsoft.playwright.options.ScreenshotAnimations;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * One page of the site in its own browser context, watched: every console error, uncaught page
 * error, failed request and response with status >= 400 that the test has not {@link #allow
 * allowed} is a problem, and {@link #close} (or {@link #assertNoProblems}) fails the test on any.
 * Requests the page itself cancels ({@code net::ERR_ABORTED}: an aborted fetch, a navigation away)
 * are not problems. A Content-Security-Policy violation is a console error, so it fails too.
 *
 * <p>Also: axe-core's check ({@link #assertAccessible}), screenshots at desktop and phone size
 * ({@link #screenshots}), performance numbers ({@link #performance}). The Playwright page itself:
 * {@link #page()}.
 */
public final class WebPage implements AutoCloseable {
  public record Viewport(int width, int height) {}

  public static final Viewport DESKTOP = new Viewport(1280, 800);
  public static final Viewport PHONE = new Viewport(390, 844);

  /** Where {@link #screenshots} writes: modules/launcher/target/web-screenshots. */
  public static final Path SCREENSHOTS =
      Path.of(System.getProperty("basedir", "."), "target", "web-screenshots");

  /** axe-core, a devDependency of the site (web/node_modules after web/build.sh or npm ci). */
  static final Path AXE =
      Path.of(System.getProperty("basedir", "."), "..", "..", "web", "node_modules")
          .resolve("axe-core/axe.min.js")
          .normalize();

  /** Long tasks (> 50 ms of main thread) from the first moment of each document, for the TTI. */
  private static final String LONG_TASKS =
      """
      (() => {
        const tasks = (window.__openclawLongTasks = []);
        try {
          new PerformanceObserver((list) => {
            for (const e of list.getEntries()) tasks.push({ start: e.startTime, end: e.startTime + e.duration });
          }).observe({ type: "longtask", buffered: true });
        } catch (e) {}
      })();
      """;

  private record Allowed(int status, String path) {
    boolean matches(int status, String url) {
      if (status != this.status) {
        return false;
      }
      String actual = URI.create(url).getPath();
      return path.endsWith("*")
          ? actual.startsWith(path.substring(0, path.length() - 1))
          : actual.equals(path);
    }
  }

  private final BrowserContext context;
  private final Page page;
  private final String baseUrl;
  private final List<Allowed> allowed = new ArrayList<>();
  private final List<String> problems = new ArrayList<>();
  private final List<Response> scripts = new ArrayList<>();

  WebPage(BrowserContext context, String baseUrl) {
    this.context = context;
    this.baseUrl = baseUrl;
    context.addInitScript(LONG_TASKS);
    this.page = context.newPage();
    page.onConsoleMessage(this::console);
    page.onPageError(error -> problems.add("uncaught error in the page: " + error));
    page.onRequestFailed(this::failed);
    page.onResponse(this::response);
  }

  /** The Playwright page: locators, clicks, keyboard, WebSocket frames. */
  public Page page() {
    return page;
  }

  /**
   * Declares a response with this status to this path (exact, or a prefix ending in {@code *}) as
   * expected, not a problem; e.g. {@code allow(401, "/me")} for a page opened signed out.
   */
  public WebPage allow(int status, String path) {
    allowed.add(new Allowed(status, path));
    return this;
  }

  /** Goes to {@code path} (relative to the base URL, or absolute) and waits for its load event. */
  public Response open(String path) {
    scripts.clear();
    return page.navigate(path);
  }

  /** The problems seen so far, in order. */
  public List<String> problems() {
    return List.copyOf(problems);
  }

  /** Fails with every problem seen so far, one a line. */
  public void assertNoProblems() {
    if (!problems.isEmpty()) {
      throw new AssertionError(
          problems.size()
              + " problem(s) on "
              + page.url()
              + ":\n  "
              + String.join("\n  ", problems));
    }
  }

  /**
   * Runs axe-core on the page as it is now and fails on any serious or critical violation, listing
   * each rule, its help text and link, and the elements that break it.
   */
  public void assertAccessible() {
    List<String> violations = accessibilityViolations();
    if (!violations.isEmpty()) {
      throw new AssertionError(
          "axe-core: "
              + violations.size()
              + " serious/critical accessibility violation(s) on "
              + page.url()
              + ":\n"
              + String.join("\n", violations));
    }
  }

  /** The serious and critical axe-core violations, each readable on its own (empty: none). */
  @SuppressWarnings("unchecked")
  public List<String> accessibilityViolations() {
    injectAxe();
    List<Map<String, Object>> violations =
        (List<Map<String, Object>>)
            page.evaluate(
                """
                async () => {
                  const result = await axe.run(document, { resultTypes: ["violations"] });
                  return result.violations
                    .filter((v) => v.impact === "serious" || v.impact === "critical")
                    .map((v) => ({
                      id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                      nodes: v.nodes.map((n) => ({
                        target: n.target.join(" "), html: n.html, summary: n.failureSummary ?? "",
                      })),
                    }));
                }
                """);
    List<String> readable = new ArrayList<>();
    for (Map<String, Object> v : violations) {
      StringBuilder text =
          new StringBuilder()
              .append("- ")
              .append(v.get("id"))
              .append(" (")
              .append(v.get("impact"))
              .append("): ")
              .append(v.get("help"))
              .append(" <")
              .append(v.get("helpUrl"))
              .append('>');
      for (Map<String, Object> node : (List<Map<String, Object>>) v.get("nodes")) {
        text.append("\n    at ")
            .append(node.get("target"))
            .append(": ")
            .append(node.get("html"))
            .append("\n      ")
            .append(node.get("summary").toString().replace("\n", "\n      "));
      }
      readable.add(text.toString());
    }
    return readable;
  }

  /**
   * Full-page screenshots at {@link #DESKTOP} and {@link #PHONE} width, written to {@code
   * target/web-screenshots/<name>-<width>.png}; fails afterwards (the pictures written) if the page
   * scrolls sideways at either width, naming the elements that stick out. Leaves the page at
   * desktop size.
   */
  public List<Path> screenshots(String name) {
    List<Path> written = new ArrayList<>();
    List<String> overflows = new ArrayList<>();
    try {
      Files.createDirectories(SCREENSHOTS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Viewport viewport : List.of(DESKTOP, PHONE)) {
      resize(viewport);
      Path file = SCREENSHOTS.resolve(name + "-" + viewport.width() + ".png");
      page.screenshot(
          new Page.ScreenshotOptions()
              .setPath(file)
              .setFullPage(true)
              .setAnimations(ScreenshotAnimations.DISABLED));
      written.add(file);
      String overflow = horizontalOverflow();
      if (!overflow.isEmpty()) {
        overflows.add(viewport.width() + " px: " + overflow);
      }
    }
    resize(DESKTOP);
    if (!overflows.isEmpty()) {
      throw new AssertionError(
          page.url()
              + " scrolls sideways (see "
              + written
              + "):\n  "
              + String.join("\n  ", overflows));
    }
    return written;
  }

  /**
   * The page's performance numbers once the network has been quiet for 500 ms (see {@link
   * Performance}); the scripts counted are those loaded since the last {@link #open}.
   */
  @SuppressWarnings("unchecked")
  public Performance performance() {
    page.waitForLoadState(LoadState.NETWORKIDLE);
    Map<String, Object> timings =
        (Map<String, Object>)
            page.evaluate(
                """
                () => {
                  const nav = performance.getEntriesByType("navigation")[0] ?? {};
                  const paint = performance.getEntriesByType("paint");
                  const fcp = paint.find((e) => e.name === "first-contentful-paint");
                  const marks = {};
                  for (const m of performance.getEntriesByType("mark")) marks[m.name] = m.startTime;
                  const tasks = window.__openclawLongTasks ?? [];
                  const transfer = {};
                  for (const r of performance.getEntriesByType("resource")) transfer[r.name] = r.transferSize;
                  return {
                    fcp: fcp ? fcp.startTime : -1,
                    domInteractive: nav.domInteractive ?? -1,
                    domContentLoaded: nav.domContentLoadedEventEnd ?? -1,
                    load: nav.loadEventEnd ?? -1,
                    longTasks: tasks.length,
                    lastLongTaskEnd: tasks.reduce((end, t) => Math.max(end, t.end), 0),
                    marks,
                    transfer,
                  };
                }
                """);
    Map<String, Object> transfer = (Map<String, Object>) timings.get("transfer");
    List<Performance.Script> loaded = new ArrayList<>();
    for (Response response : scripts) {
      byte[] body = response.body();
      Object onWire = transfer.get(response.url());
      loaded.add(
          new Performance.Script(
              response.url(),
              onWire == null ? -1 : number(onWire).longValue(),
              body.length,
              gzipped(body),
              response.headerValue("content-encoding")));
    }
    Map<String, Double> marks = new java.util.LinkedHashMap<>();
    ((Map<String, Object>) timings.get("marks")).forEach((k, v) -> marks.put(k, number(v)));
    double fcp = number(timings.get("fcp"));
    double domContentLoaded = number(timings.get("domContentLoaded"));
    return new Performance(
        page.url(),
        fcp,
        number(timings.get("domInteractive")),
        domContentLoaded,
        number(timings.get("load")),
        Math.max(Math.max(fcp, domContentLoaded), number(timings.get("lastLongTaskEnd"))),
        number(timings.get("longTasks")).intValue(),
        marks,
        loaded);
  }

  /** Closes the context and fails the test on any problem seen. */
  @Override
  public void close() {
    try {
      context.close();
    } finally {
      assertNoProblems();
    }
  }

  private void console(ConsoleMessage message) {
    if (!message.type().equals("error")) {
      return;
    }
    // Chromium logs every response >= 400 ("Failed to load resource: ... status of 401"), at the
    // resource's URL: an allowed response is no problem, an unexpected one is reported below.
    if (message.text().startsWith("Failed to load resource: the server responded")) {
      return;
    }
    problems.add("console error: " + message.text() + " (at " + message.location() + ")");
  }

  private void failed(Request request) {
    String failure = request.failure();
    if (failure != null && failure.contains("ERR_ABORTED")) {
      return;
    }
    problems.add("request failed: " + request.method() + " " + request.url() + ": " + failure);
  }

  private void response(Response response) {
    int status = response.status();
    if (status >= 400 && allowed.stream().noneMatch(a -> a.matches(status, response.url()))) {
      problems.add(
          "unexpected response "
              + status
              + " "
              + response.statusText()
              + " to "
              + response.request().method()
              + " "
              + response.url());
    }
    if (status < 300
        && (response.request().resourceType().equals("script")
            || URI.create(response.url()).getPath().endsWith(".js"))) {
      scripts.add(response);
    }
  }

  private void injectAxe() {
    if (Boolean.TRUE.equals(page.evaluate("() => typeof window.axe === 'object'"))) {
      return;
    }
    if (!Files.isRegularFile(AXE)) {
      throw new IllegalStateException(
          AXE + " is missing: web/build.sh (./openclaw-cloud test runs it) installs axe-core");
    }
    try {
      // Evaluated through the DevTools protocol, not as a <script>: the site's CSP stays in force.
      page.evaluate("() => {\n" + Files.readString(AXE) + "\n}");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void resize(Viewport viewport) {
    page.setViewportSize(viewport.width(), viewport.height());
    page.evaluate(
        "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))");
  }

  /** Empty when the page fits its width; else the widest elements that stick out. */
  private String horizontalOverflow() {
    return (String)
        page.evaluate(
            """
            () => {
              const width = document.documentElement.clientWidth;
              if (document.documentElement.scrollWidth <= width) return "";
              const name = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
                + [...e.classList].map((c) => "." + c).join("");
              return [...document.body.querySelectorAll("*")]
                .map((e) => [e, e.getBoundingClientRect().right])
                .filter(([, right]) => right > width + 1)
                .sort((a, b) => b[1] - a[1])
                .slice(0, 5)
                .map(([e, right]) => name(e) + " to " + Math.round(right) + " px")
                .join(", ") || "the document is " + document.documentElement.scrollWidth + " px wide";
            }
            """);
  }

  private static Double number(Object value) {
    return ((Number) value).doubleValue();
  }

  private static long gzipped(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.size();
  }

  @Override
  public String toString() {
    return "WebPage[" + baseUrl + " " + page.url() + "]";
  }
}
