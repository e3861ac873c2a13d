package cloud.openclaw.sandbox.s3;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A request's query parameters, decoded, in the order sent; a name without '=' has "". */
record S3Query(List<Map.Entry<String, String>> params) {

  static S3Query parse(String raw) {
    List<Map.Entry<String, String>> params = new ArrayList<>();
    if (raw == null || raw.isEmpty()) {
      return new S3Query(params);
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      params.add(Map.entry(UriEncoding.percentDecode(name), UriEncoding.percentDecode(value)));
    }
    return new S3Query(params);
  }

  /** The first value of {@code name}, or null. */
  String get(String name) {
    return params.stream()
        .filter(p -> p.getKey().equals(name))
        .map(Map.Entry::getValue)
        .findFirst()
        .orElse(null);
  }

  String getOrEmpty(String name) {
    String value = get(name);
    return value == null ? "" : value;
  }

  boolean has(String name) {
    return get(name) != null;
  }

  boolean isEmpty() {
    return params.isEmpty();
  }

  /** The presigned URL's own parameters are not the operation's. */
  S3Query withoutPresigning() {
    return new S3Query(params.stream().filter(p -> !p.getKey().startsWith("X-Amz-")).toList());
  }

  /** Only response-* overrides (response-content-type...) or nothing: a plain GetObject. */
  boolean onlyResponseOverrides() {
    return params.stream().allMatch(p -> p.getKey().startsWith("response-"));
  }
}
