package massfetch.pipeline;

/** A mistake in how massfetch was called: reported as one line, no stack trace, exit code 2. */
final class UserError extends Exception {
  private static final long serialVersionUID = 1L;

  UserError(String message) {
    super(message, null, false, false);
  }
}
