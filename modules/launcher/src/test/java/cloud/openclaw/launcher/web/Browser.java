package cloud.openclaw.launcher.web;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Debian's chromium, headless, driven by Playwright: one browser per test class, a fresh context
 * (cookies, storage, cache) per {@link WebPage}.
 *
 * <pre>{@code
 * @RegisterExtension static final Browser browser = new Browser();
 *
 * try (WebPage page = browser.open(apiUrl)) {
 *   page.allow(401, "/me").allow(401, "/auth/refresh"); // anonymous: expected
 *   page.open("/");
 *   page.assertAccessible();
 *   page.screenshots("landing");
 * } // close() fails the test on any console error, page error or failed request
 * }</pre>
 *
 * <p>Without {@code /usr/bin/chromium} the test class is skipped, with the reason, or fails under
 * {@code CI=true}: CI must never pass without having run the browser. Playwright's own browser
 * download cannot work here ({@code PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1}); its driver comes in the
 * Maven jar.
 */
public final class Browser implements BeforeAllCallback, AfterAllCallback {
  public static final Path CHROMIUM = Path.of("/usr/bin/chromium");

  /** No sandbox (tests run as root), nothing that reaches the network on its own. */
  static final List<String> FLAGS =
      List.of(
          "--no-sandbox",
          "--disable-gpu",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--no-first-run");

  private Playwright playwright;
  private com.microsoft.playwright.Browser chromium;

  @Override
  public void beforeAll(ExtensionContext context) {
    if (!Files.isExecutable(CHROMIUM)) {
      String why =
          "the browser tests need Debian's chromium at "
              + CHROMIUM
              + " (apt-get install chromium), and there is none";
      if ("true".equals(System.getenv("CI"))) {
        throw new IllegalStateException(why + ": CI=true, so this fails rather than skips");
      }
      Assumptions.abort(why + ": skipped (under CI=true this fails)");
    }
    playwright =
        Playwright.create(
            new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    chromium =
        playwright
            .chromium()
            .launch(
                new BrowserType.LaunchOptions()
                    .setExecutablePath(CHROMIUM)
                    .setHeadless(true)
                    .setArgs(FLAGS));
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (chromium != null) {
      chromium.close();
    }
    if (playwright != null) {
      playwright.close();
    }
  }

  /**
   * A new page in a fresh context, at {@link WebPage#DESKTOP} size, whose relative URLs ({@link
   * WebPage#open}) resolve against {@code baseUrl} (the api's URL).
   */
  public WebPage open(String baseUrl) {
    return open(baseUrl, options -> {});
  }

  /** Like {@link #open(String)}, with more context options (a locale, a time zone, a phone). */
  public WebPage open(
      String baseUrl, Consumer<com.microsoft.playwright.Browser.NewContextOptions> more) {
    if (chromium == null) {
      throw new IllegalStateException("register Browser with @RegisterExtension on a static field");
    }
    com.microsoft.playwright.Browser.NewContextOptions options =
        new com.microsoft.playwright.Browser.NewContextOptions()
            .setBaseURL(baseUrl)
            .setViewportSize(WebPage.DESKTOP.width(), WebPage.DESKTOP.height())
            .setLocale("en-US")
            .setTimezoneId("UTC");
    more.accept(options);
    BrowserContext context = chromium.newContext(options);
    return new WebPage(context, baseUrl);
  }

  /** The Playwright browser itself, for what {@link WebPage} does not cover. */
  public com.microsoft.playwright.Browser chromium() {
    return chromium;
  }
}
