package cloud.openclaw.sandbox.s3;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

/** HeadBucket and CreateBucket. */
final class BucketOperations {
  private final S3Store store;

  BucketOperations(S3Store store) {
    this.store = store;
  }

  void head(S3Request request, ServerResponse response) {
    if (!store.bucketExists(request.bucket())) {
      throw S3Exception.noSuchBucket(request.bucket());
    }
    response.status(Status.OK_200).send();
  }

  void create(S3Request request, ServerResponse response) {
    if (!request.query().isEmpty()) {
      throw S3Exception.notImplemented();
    }
    String bucket = request.bucket();
    if (!store.createBucket(bucket)) {
      throw new S3Exception(
          409,
          "BucketAlreadyOwnedByYou",
          "The bucket you tried to create already exists, and you own it.",
          bucket);
    }
    response.header(HeaderNames.LOCATION, "/" + bucket).status(Status.OK_200).send();
  }
}
