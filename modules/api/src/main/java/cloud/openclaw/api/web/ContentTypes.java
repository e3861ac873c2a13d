package cloud.openclaw.api.web;

import java.util.Map;

/** The media type of a built file by its extension; anything unknown is served as bytes. */
final class ContentTypes {
  private static final Map<String, String> BY_EXTENSION =
      Map.ofEntries(
          Map.entry("html", "text/html; charset=utf-8"),
          Map.entry("js", "text/javascript; charset=utf-8"),
          Map.entry("mjs", "text/javascript; charset=utf-8"),
          Map.entry("css", "text/css; charset=utf-8"),
          Map.entry("json", "application/json"),
          Map.entry("svg", "image/svg+xml"),
          Map.entry("png", "image/png"),
          Map.entry("ico", "image/x-icon"),
          Map.entry("webp", "image/webp"),
          Map.entry("woff2", "font/woff2"),
          Map.entry("txt", "text/plain; charset=utf-8"));

  private ContentTypes() {}

  static String of(String path) {
    return BY_EXTENSION.getOrDefault(extension(path), "application/octet-stream");
  }

  static boolean compressible(String path) {
    return switch (extension(path)) {
      case "html", "js", "mjs", "css", "json", "svg", "txt" -> true;
      default -> false;
    };
  }

  private static String extension(String path) {
    int dot = path.lastIndexOf('.');
    return dot < 0 ? "" : path.substring(dot + 1);
  }
}
