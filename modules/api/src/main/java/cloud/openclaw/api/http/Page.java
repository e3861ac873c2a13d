package cloud.openclaw.api.http;

import cloud.openclaw.platform.errors.InvalidInputException;
import io.helidon.webserver.http.ServerRequest;
import java.util.List;
import java.util.function.Function;

/**
 * One page of a list: {@code {"items": [...], "next": "<cursor>"}}, where {@code next} (null on the
 * last page) is passed back as {@code ?cursor=} for the page after. Sizes: {@code ?limit=}, 1..200,
 * 50 unless given.
 */
public record Page<T>(List<T> items, String next) {
  public static final int DEFAULT_LIMIT = 50;
  public static final int MAX_LIMIT = 200;

  /** The requested page size. */
  public static int limit(ServerRequest request) {
    String raw = Requests.query(request, "limit").orElse(null);
    if (raw == null) {
      return DEFAULT_LIMIT;
    }
    try {
      int limit = Integer.parseInt(raw);
      if (limit >= 1 && limit <= MAX_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new InvalidInputException(
        "limit", "'limit' must be a whole number from 1 to " + MAX_LIMIT);
  }

  /** An offset cursor (the lists that page by position). */
  public static int offset(ServerRequest request) {
    String raw = Requests.query(request, "cursor").orElse(null);
    if (raw == null) {
      return 0;
    }
    try {
      int offset = Integer.parseInt(raw);
      if (offset >= 0) {
        return offset;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new InvalidInputException("cursor", "'cursor' is not one this list handed out");
  }

  /** A page of a list paged by position: asked for one more than shown to know if more follow. */
  public static <T> Page<T> byOffset(List<T> fetched, int offset, int limit) {
    boolean more = fetched.size() > limit;
    return new Page<>(
        more ? fetched.subList(0, limit) : fetched, more ? String.valueOf(offset + limit) : null);
  }

  /**
   * A page of a list paged by key: asked for one more than shown; the cursor is made from the last
   * item shown.
   */
  public static <T> Page<T> byCursor(List<T> fetched, int limit, Function<T, String> cursorOf) {
    boolean more = fetched.size() > limit;
    List<T> shown = more ? fetched.subList(0, limit) : fetched;
    return new Page<>(shown, more ? cursorOf.apply(shown.getLast()) : null);
  }

  /** The same page with each item shown as {@code view}. */
  public <V> Page<V> map(Function<T, V> view) {
    return new Page<>(items.stream().map(view).toList(), next);
  }
}
