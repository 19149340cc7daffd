package massfetch.fetch;

/**
 * What one HTTP request ended with: a response (any status, body kept only for 2xx) or a transport
 * failure already classified into an error class; either way with its {@link AnswerClass}.
 */
final class HttpOutcome {
  final int status; // 0 when no response arrived
  final String contentType;
  final String location;
  final String retryAfter;
  final long contentLength; // -1 when not sent
  final byte[] body;
  final byte[] md5;
  final String error; // null for a response
  final AnswerClass kind;
  final String detail;

  private HttpOutcome(
      int status,
      String contentType,
      String location,
      String retryAfter,
      long contentLength,
      byte[] body,
      byte[] md5,
      String error,
      AnswerClass kind,
      String detail) {
    this.status = status;
    this.contentType = contentType;
    this.location = location;
    this.retryAfter = retryAfter;
    this.contentLength = contentLength;
    this.body = body;
    this.md5 = md5;
    this.error = error;
    this.kind = kind;
    this.detail = detail;
  }

  static HttpOutcome response(
      int status,
      String contentType,
      String location,
      String retryAfter,
      long contentLength,
      byte[] body,
      byte[] md5) {
    return new HttpOutcome(
        status, contentType, location, retryAfter, contentLength, body, md5, null,
        AnswerClass.ofStatus(status), null);
  }

  static HttpOutcome failure(int status, String error, String detail) {
    return new HttpOutcome(status, null, null, null, -1, null, null, error, AnswerClass.ofError(error), detail);
  }

  boolean isFailure() {
    return error != null;
  }
}
