package massfetch.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** {@link BucketPrefix}: parsing object-store outputs and keeping keys under the prefix. */
class BucketPrefixTest {

  @Test
  void givenBucketAndPrefix_whenParsing_thenPrefixEndsInOneSlash() {
    BucketPrefix p = BucketPrefix.parse("gs://images/run-1//", "gs");
    assertEquals("images", p.bucket());
    assertEquals("run-1/", p.prefix());
    assertEquals("run-1/a/b.png", p.objectName("a/b.png"));
    assertEquals("gs://images/run-1/a/b.png", p.uriOf("a/b.png"));
  }

  @Test
  void givenBucketOnly_whenParsing_thenNoPrefix() {
    BucketPrefix p = BucketPrefix.parse("s3://images", "s3");
    assertEquals("", p.prefix());
    assertEquals("x.png", p.objectName("x.png"));
  }

  @Test
  void givenKeyEscapingThePrefix_whenNaming_thenRefused() {
    BucketPrefix p = BucketPrefix.parse("s3://images/run", "s3");
    for (String bad : new String[] {"../x.png", "a/../../x.png", "/x.png", "a//b.png", "./x", ""}) {
      assertThrows(IllegalArgumentException.class, () -> p.objectName(bad), bad);
    }
  }

  @Test
  void givenWrongSchemeOrNoBucket_whenParsing_thenRefused() {
    assertThrows(IllegalArgumentException.class, () -> BucketPrefix.parse("s3://b/p", "gs"));
    assertThrows(IllegalArgumentException.class, () -> BucketPrefix.parse("gs:///p", "gs"));
  }
}
