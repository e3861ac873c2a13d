package cloud.openclaw.sandbox.s3;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * SigV4's canonical request: method, path, sorted query, the signed headers and the payload hash,
 * one a line (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html).
 */
final class CanonicalRequest {
  private CanonicalRequest() {}

  static String of(
      String method,
      String rawPath,
      List<Map.Entry<String, String>> query,
      Function<String, String> header,
      List<String> signedHeaders,
      String payloadHash) {
    StringBuilder canonical = new StringBuilder();
    canonical.append(method).append('\n');
    canonical.append(UriEncoding.uriEncode(UriEncoding.percentDecode(rawPath), false)).append('\n');
    List<String[]> params = new ArrayList<>();
    for (Map.Entry<String, String> p : query) {
      params.add(
          new String[] {
            UriEncoding.uriEncode(p.getKey(), true), UriEncoding.uriEncode(p.getValue(), true)
          });
    }
    params.sort(Comparator.<String[], String>comparing(p -> p[0]).thenComparing(p -> p[1]));
    List<String> pairs = params.stream().map(p -> p[0] + "=" + p[1]).toList();
    canonical.append(String.join("&", pairs)).append('\n');
    Set<String> sorted = new TreeSet<>(signedHeaders);
    for (String name : sorted) {
      String value = header.apply(name);
      canonical
          .append(name)
          .append(':')
          .append(value == null ? "" : value.strip().replaceAll(" +", " "))
          .append('\n');
    }
    canonical.append('\n');
    canonical.append(String.join(";", sorted)).append('\n');
    canonical.append(payloadHash);
    return canonical.toString();
  }
}
