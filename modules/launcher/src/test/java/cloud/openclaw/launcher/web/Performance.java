package cloud.openclaw.launcher.web;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A page's performance as the browser measured it; times in milliseconds from the start of the
 * navigation, -1 where the browser had none.
 *
 * @param firstContentfulPaint the paint timing entry {@code first-contentful-paint}
 * @param domInteractive the navigation entry's {@code domInteractive}: the HTML parsed
 * @param domContentLoaded {@code domContentLoadedEventEnd}: the module scripts have run
 * @param load {@code loadEventEnd}
 * @param timeToInteractive an approximation of Lighthouse's TTI, which looks for the first 5 s
 *     without long tasks after FCP: here, once the network has been quiet for 500 ms, the latest of
 *     FCP, {@code domContentLoadedEventEnd} and the end of the last long task (> 50 ms of main
 *     thread) seen. Since the site renders on the client, this is when the page has rendered and
 *     its script stopped keeping the main thread busy.
 * @param longTasks how many long tasks the page had
 * @param marks every {@code performance.mark(name)} of the page: its name and time
 * @param scripts the JavaScript files the page loaded since it was opened
 */
public record Performance(
    String url,
    double firstContentfulPaint,
    double domInteractive,
    double domContentLoaded,
    double load,
    double timeToInteractive,
    int longTasks,
    Map<String, Double> marks,
    List<Script> scripts) {

  /**
   * One JavaScript file.
   *
   * @param transferBytes bytes on the wire as Resource Timing counts them (headers included, as
   *     served: compressed only if the server compressed it)
   * @param bytes the file's size, uncompressed
   * @param gzipBytes its size gzipped (default level), whatever the server sent: the budget figure
   * @param contentEncoding how the server sent it ({@code gzip}, ...), null if as is
   */
  public record Script(
      String url, long transferBytes, long bytes, long gzipBytes, String contentEncoding) {}

  /** The JavaScript's total size gzipped (the figure the budget is about). */
  public long scriptGzipBytes() {
    return scripts.stream().mapToLong(Script::gzipBytes).sum();
  }

  /** The JavaScript's total size on the wire, as served. */
  public long scriptTransferBytes() {
    return scripts.stream().mapToLong(s -> Math.max(0, s.transferBytes())).sum();
  }

  /** The JavaScript's total size, uncompressed. */
  public long scriptBytes() {
    return scripts.stream().mapToLong(Script::bytes).sum();
  }

  /** One line for the test's output. */
  public String summary() {
    return String.format(
        Locale.ROOT,
        "%s: FCP %.0f ms, TTI %.0f ms (DOMContentLoaded %.0f ms, load %.0f ms, %d long tasks),"
            + " JavaScript %d files %.1f KB gzip (%.1f KB on the wire, %.1f KB uncompressed)%s",
        url,
        firstContentfulPaint,
        timeToInteractive,
        domContentLoaded,
        load,
        longTasks,
        scripts.size(),
        scriptGzipBytes() / 1024.0,
        scriptTransferBytes() / 1024.0,
        scriptBytes() / 1024.0,
        marks.isEmpty() ? "" : ", marks " + formattedMarks());
  }

  private String formattedMarks() {
    StringBuilder text = new StringBuilder();
    marks.forEach(
        (name, at) ->
            text.append(text.isEmpty() ? "" : ", ")
                .append(name)
                .append(String.format(Locale.ROOT, " %.0f ms", at)));
    return text.toString();
  }
}
