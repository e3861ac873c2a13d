package cloud.openclaw.sandbox.s3;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.UUID;

/** The buckets, their objects and their unfinished multipart uploads, in memory. */
final class S3Store {
  /** An object: its bytes, quoted ETag and when it was written. */
  record S3Object(byte[] data, String etag, Instant lastModified) {}

  /** A page of a listing: the objects and the common prefixes, and where the next page starts. */
  record Listing(List<Map.Entry<String, S3Object>> contents, List<String> prefixes, String next) {}

  private record Upload(String bucket, String key, TreeMap<Integer, S3Object> parts) {}

  private final Clock clock;
  private final long minPartSize;
  private final Map<String, NavigableMap<String, S3Object>> buckets = new TreeMap<>();
  private final Map<String, Upload> uploads = new java.util.HashMap<>();
  private int completedUploads;

  S3Store(Clock clock, long minPartSize, List<String> bucketNames) {
    this.clock = clock;
    this.minPartSize = minPartSize;
    bucketNames.forEach(this::createBucket);
  }

  synchronized boolean createBucket(String name) {
    return buckets.putIfAbsent(name, new TreeMap<>()) == null;
  }

  synchronized boolean bucketExists(String name) {
    return buckets.containsKey(name);
  }

  synchronized S3Object put(String bucket, String key, byte[] data) {
    S3Object object = new S3Object(data, quotedMd5(data), clock.instant());
    bucket(bucket).put(key, object);
    return object;
  }

  synchronized S3Object get(String bucket, String key) {
    S3Object object = bucket(bucket).get(key);
    if (object == null) {
      throw S3Exception.noSuchKey(key);
    }
    return object;
  }

  /** Deleting a key that does not exist succeeds, as in S3. */
  synchronized void delete(String bucket, String key) {
    bucket(bucket).remove(key);
  }

  /** The keys of {@code bucket}, sorted (a test looks into the store with it). */
  synchronized List<String> keys(String bucket) {
    return List.copyOf(bucket(bucket).keySet());
  }

  /**
   * One page of ListObjectsV2: keys after {@code after} that start with {@code prefix}, those with
   * {@code delimiter} after the prefix rolled up into one common prefix each; at most {@code max}
   * entries (objects and prefixes together). {@code next} is the last entry of a truncated page.
   */
  synchronized Listing list(String bucket, String prefix, String delimiter, String after, int max) {
    List<Map.Entry<String, S3Object>> contents = new ArrayList<>();
    List<String> prefixes = new ArrayList<>();
    String last = null;
    boolean truncated = false;
    NavigableMap<String, S3Object> objects = bucket(bucket);
    NavigableMap<String, S3Object> candidates =
        after == null ? objects.tailMap(prefix, true) : objects.tailMap(after, false);
    for (Map.Entry<String, S3Object> entry : candidates.entrySet()) {
      String key = entry.getKey();
      if (!key.startsWith(prefix)) {
        if (key.compareTo(prefix) > 0) {
          break;
        }
        continue;
      }
      String rolledUp = null;
      if (!delimiter.isEmpty()) {
        int at = key.indexOf(delimiter, prefix.length());
        if (at >= 0) {
          rolledUp = key.substring(0, at + delimiter.length());
        }
      }
      if (rolledUp != null && (rolledUp.equals(last) || rolledUp.equals(after))) {
        continue;
      }
      if (after != null && rolledUp != null && after.startsWith(rolledUp)) {
        continue;
      }
      if (contents.size() + prefixes.size() == max) {
        truncated = true;
        break;
      }
      if (rolledUp != null) {
        prefixes.add(rolledUp);
        last = rolledUp;
      } else {
        contents.add(Map.entry(key, entry.getValue()));
        last = key;
      }
    }
    return new Listing(contents, prefixes, truncated ? last : null);
  }

  synchronized String createUpload(String bucket, String key) {
    bucket(bucket);
    String id = UUID.randomUUID().toString().replace("-", "");
    uploads.put(id, new Upload(bucket, key, new TreeMap<>()));
    return id;
  }

  synchronized S3Object putPart(
      String bucket, String key, String uploadId, int partNumber, byte[] data) {
    Upload upload = upload(bucket, key, uploadId);
    S3Object part = new S3Object(data, quotedMd5(data), clock.instant());
    upload.parts().put(partNumber, part);
    return part;
  }

  /**
   * Joins the parts named (number and ETag, ascending) into the object; refused as S3 refuses a
   * missing or changed part, parts out of order, or a part but the last below the minimum size.
   */
  synchronized S3Object complete(
      String bucket, String key, String uploadId, List<Map.Entry<Integer, String>> named) {
    Upload upload = upload(bucket, key, uploadId);
    if (named.isEmpty()) {
      throw S3Exception.malformedXml();
    }
    List<S3Object> parts = new ArrayList<>();
    int previous = 0;
    for (Map.Entry<Integer, String> entry : named) {
      int number = entry.getKey();
      if (number <= previous) {
        throw new S3Exception(
            400,
            "InvalidPartOrder",
            "The list of parts was not in ascending order. The parts list must be specified in"
                + " order by part number.",
            null);
      }
      previous = number;
      S3Object part = upload.parts().get(number);
      if (part == null || !unquoted(part.etag()).equals(unquoted(entry.getValue()))) {
        throw new S3Exception(
            400,
            "InvalidPart",
            "One or more of the specified parts could not be found.  The part may not have been"
                + " uploaded, or the specified entity tag may not match the part's entity tag.",
            null);
      }
      parts.add(part);
    }
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    ByteArrayOutputStream md5s = new ByteArrayOutputStream();
    for (int i = 0; i < parts.size(); i++) {
      byte[] part = parts.get(i).data();
      if (i < parts.size() - 1 && part.length < minPartSize) {
        throw new S3Exception(
            400,
            "EntityTooSmall",
            "Your proposed upload is smaller than the minimum allowed object size.",
            null);
      }
      data.writeBytes(part);
      md5s.writeBytes(md5(part));
    }
    String etag =
        "\"" + HexFormat.of().formatHex(md5(md5s.toByteArray())) + "-" + named.size() + "\"";
    S3Object object = new S3Object(data.toByteArray(), etag, clock.instant());
    bucket(bucket).put(key, object);
    uploads.remove(uploadId);
    completedUploads++;
    return object;
  }

  synchronized void abort(String bucket, String key, String uploadId) {
    upload(bucket, key, uploadId);
    uploads.remove(uploadId);
  }

  /** Multipart uploads completed. */
  synchronized int completedUploads() {
    return completedUploads;
  }

  /** Multipart uploads begun and neither completed nor aborted. */
  synchronized int openUploads() {
    return uploads.size();
  }

  private Upload upload(String bucket, String key, String uploadId) {
    bucket(bucket);
    Upload upload = uploads.get(uploadId);
    if (upload == null || !upload.bucket().equals(bucket) || !upload.key().equals(key)) {
      throw S3Exception.noSuchUpload(uploadId);
    }
    return upload;
  }

  private NavigableMap<String, S3Object> bucket(String name) {
    NavigableMap<String, S3Object> bucket = buckets.get(name);
    if (bucket == null) {
      throw S3Exception.noSuchBucket(name);
    }
    return bucket;
  }

  private static String unquoted(String etag) {
    return etag.strip().replace("\"", "");
  }

  static String quotedMd5(byte[] data) {
    return "\"" + HexFormat.of().formatHex(md5(data)) + "\"";
  }

  static byte[] md5(byte[] data) {
    try {
      return MessageDigest.getInstance("MD5").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
