package massfetch.manifest;

/** A manifest line that cannot become a request; the message is the reason written in the result. */
final class InvalidEntryException extends Exception {
  private static final long serialVersionUID = 1L;

  InvalidEntryException(String reason) {
    super(reason, null, false, false);
  }
}
