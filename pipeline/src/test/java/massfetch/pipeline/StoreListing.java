package massfetch.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** Lists object names under a prefix on an S3 or GCS test server, with clients outside the job. */
final class StoreListing {
  private StoreListing() {}

  static List<String> names(String scheme, String endpoint, String bucket, String prefix) throws Exception {
    List<String> names = new ArrayList<>();
    if (scheme.equals("s3")) {
      try (S3Client s3 = S3Client.builder().endpointOverride(URI.create(endpoint))
          .region(Region.US_EAST_1).forcePathStyle(true).build()) {
        for (S3Object o : s3.listObjectsV2(b -> b.bucket(bucket).prefix(prefix)).contents()) {
          names.add(o.key());
        }
      }
      return names;
    }
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(endpoint + "/storage/v1/b/" + bucket + "/o?prefix="
            + URLEncoder.encode(prefix, StandardCharsets.UTF_8))).build(),
        HttpResponse.BodyHandlers.ofString());
    JsonNode items = new ObjectMapper().readTree(r.body()).path("items");
    for (JsonNode item : items) {
      names.add(item.path("name").asText());
    }
    return names;
  }
}
