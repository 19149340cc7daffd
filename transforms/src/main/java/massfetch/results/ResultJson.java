package massfetch.results;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import massfetch.model.FetchResult;

/**
 * The JSON form of a {@link FetchResult}: the {@link ResultFields}, every one present (null when
 * unset); {@code shard} and {@code offset} only in tar mode.
 */
public final class ResultJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ResultJson() {}

  public static String toJson(FetchResult r) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put(ResultFields.URL, r.getUrl());
    o.put(ResultFields.KEY, r.getKey());
    o.put(ResultFields.STATUS, r.getStatus().wireName());
    o.put(ResultFields.HTTP_STATUS, r.getHttpStatus());
    o.put(ResultFields.BYTES, r.getBytes());
    o.put(ResultFields.MD5, r.getMd5());
    o.put(ResultFields.CONTENT_TYPE, r.getContentType());
    o.put(ResultFields.ATTEMPTS, r.getAttempts());
    o.put(ResultFields.ELAPSED_MS, r.getElapsedMs());
    o.put(ResultFields.ERROR, r.getError());
    o.put(ResultFields.DETAIL, r.getDetail());
    o.put(ResultFields.SOURCE, r.getSource());
    o.put(ResultFields.LINE, r.getLine());
    if (r.getShard() != null) {
      // Tar mode only, so the records of a files run keep their shape.
      o.put(ResultFields.SHARD, r.getShard());
      o.put(ResultFields.OFFSET, r.getOffset());
    }
    try {
      return MAPPER.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of strings and numbers always serialises", e);
    }
  }
}
