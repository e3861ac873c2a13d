package cloud.openclaw.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.openclaw.launcher.web.Browser;
import cloud.openclaw.launcher.web.Performance;
import cloud.openclaw.launcher.web.WebPage;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Response;
import com.microsoft.playwright.options.AriaRole;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The site as the platform serves it in dev mode ({@link DevLauncher}, on this test's PostgreSQL
 * and Redis), in Debian's chromium, signed out: the landing page and the sign-in page load without
 * a console error, a CSP violation or a failed request, pass axe-core, fit a phone's width
 * (screenshots in target/web-screenshots), and the landing page's numbers are printed: first
 * contentful paint, time to interactive and the JavaScript it loads, gzipped, within the budget.
 * Needs web/dist built into the api's jar: ./openclaw-cloud test builds it first.
 */
class WebSmokeE2E {
  // First: without a browser the class is skipped (or fails under CI) before the platform starts.
  @RegisterExtension
  @Order(1)
  static final Browser browser = new Browser();

  @RegisterExtension
  @Order(2)
  static final TestPostgres postgres = new TestPostgres();

  @RegisterExtension
  @Order(3)
  static final TestRedis redis = new TestRedis();

  /** The landing page's JavaScript, gzipped (src/App.tsx: each other page is its own chunk). */
  static final long LANDING_SCRIPT_BUDGET = 100 * 1024;

  @TempDir static Path home;

  static DevLauncher launcher;
  static String api;

  @BeforeAll
  static void start() {
    launcher = new DevLauncher(home, Map.of(), PlatformE2E.overrides(postgres, redis));
    launcher.start();
    api =
        launcher.services().stream()
            .filter(service -> service.name().equals("api"))
            .findFirst()
            .orElseThrow()
            .url();
  }

  @AfterAll
  static void stop() {
    if (launcher != null) {
      launcher.close();
    }
  }

  /** A page opened signed out: the session probe's 401s are expected. */
  static WebPage signedOut() {
    return browser.open(api).allow(401, "/me").allow(401, "/auth/refresh");
  }

  /** Opens {@code path} and checks it is the site (index.html of web/dist), rendered. */
  static void openSite(WebPage page, String path) {
    Response response = page.open(path);
    assertThat(response.status())
        .as(
            "GET %s on the api: the site's index.html expected. A 404 means this api does not serve"
                + " the site (web/dist in its jar, classpath web/) yet",
            path)
        .isEqualTo(200);
    assertThat(response.text())
        .as("GET %s answers the site's index.html, not a page of the api's own", path)
        .contains("<div id=\"root\">");
    page.page()
        .getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setLevel(1))
        .first()
        .waitFor();
  }

  @Test
  void theLandingPageLoadsCleanAccessibleAndSmall() {
    try (WebPage page = signedOut()) {
      openSite(page, "/");
      page.assertAccessible();
      page.screenshots("landing");
      Performance performance = page.performance();
      System.out.println("WebSmokeE2E: landing: " + performance.summary());
      performance
          .scripts()
          .forEach(
              script ->
                  System.out.printf(
                      "WebSmokeE2E:   %s %d B gzip (%d B, served %s)%n",
                      script.url(),
                      script.gzipBytes(),
                      script.bytes(),
                      script.contentEncoding() == null ? "as is" : script.contentEncoding()));
      assertThat(performance.firstContentfulPaint()).isPositive();
      assertThat(performance.scriptGzipBytes()).isLessThanOrEqualTo(LANDING_SCRIPT_BUDGET);
    }
  }

  @Test
  void theSignInPageLoadsCleanAndAccessible() {
    try (WebPage page = signedOut()) {
      openSite(page, "/signin");
      page.assertAccessible();
      page.screenshots("signin");
      System.out.println("WebSmokeE2E: sign-in: " + page.performance().summary());
    }
  }
}
