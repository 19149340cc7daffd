package massfetch.results;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import massfetch.model.FetchResult;

/**
 * The JSON form of a {@link FetchResult}: snake_case fields, every field present (null when unset);
 * {@code shard} and {@code offset} only in tar mode.
 */
public final class ResultJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ResultJson() {}

  public static String toJson(FetchResult r) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("url", r.getUrl());
    o.put("key", r.getKey());
    o.put("status", r.getStatus().wireName());
    o.put("http_status", r.getHttpStatus());
    o.put("bytes", r.getBytes());
    o.put("md5", r.getMd5());
    o.put("content_type", r.getContentType());
    o.put("attempts", r.getAttempts());
    o.put("elapsed_ms", r.getElapsedMs());
    o.put("error", r.getError());
    o.put("detail", r.getDetail());
    o.put("source", r.getSource());
    o.put("line", r.getLine());
    if (r.getShard() != null) {
      // Tar mode only, so the records of a files run keep their shape.
      o.put("shard", r.getShard());
      o.put("offset", r.getOffset());
    }
    try {
      return MAPPER.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of strings and numbers always serialises", e);
    }
  }
}
