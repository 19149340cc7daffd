package massfetch.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.util.SerializableUtils;
import org.junit.jupiter.api.Test;

/**
 * A store's options and settings are its own: its options interface reaches Beam through the
 * registered stores, its values reach the workers as its own {@link StoreSettings} inside {@link
 * SinkConfig}, and the shared configuration names no store.
 */
class StoreOptionsSeamTest {
  /** Every store option with a value that is not its default. */
  private static final String[] STORE_ARGS = {
    "--s3Endpoint=http://127.0.0.1:9000", "--s3Region=eu-west-3", "--s3PathStyle=true",
    "--s3ConditionalWrites=false", "--s3KmsKeyId=key-1",
    "--gcsEndpoint=http://127.0.0.1:4443", "--gcsProject=proj", "--userProject=payer"};

  @Test
  void givenRegisteredStores_whenBeamLoadsRegistrars_thenEachStoresOwnOptionsInterfaceIsRegistered() {
    List<Class<? extends PipelineOptions>> fromStores = new ArrayList<>();
    for (ObjectStore store : ObjectSinks.stores()) {
      if (store.optionsInterface() != null) {
        fromStores.add(store.optionsInterface());
      }
    }
    Set<Class<? extends PipelineOptions>> registered = PipelineOptionsFactory.getRegisteredOptions();

    assertTrue(fromStores.containsAll(List.of(S3StoreOptions.class, GcsStoreOptions.class)), fromStores.toString());
    assertEquals(fromStores, ObjectSinks.optionsInterfaces());
    assertTrue(registered.containsAll(fromStores), "registered with Beam: " + registered);
  }

  @Test
  void givenStoreOptions_whenSettingsAreMade_thenEachStoreGetsItsOwnValuesAndTheySurviveSerialization() {
    PipelineOptions options = PipelineOptionsFactory.fromArgs(STORE_ARGS).withValidation().create();
    SinkConfig.Builder builder = SinkConfig.builder().setOutput("s3://b/p");
    ObjectSinks.settingsFrom(options).forEach(builder::setStore);
    SinkConfig config = SerializableUtils.clone(builder.build());

    S3Sink.Settings s3 = config.settings("s3", S3Sink.Settings.class);
    assertEquals("http://127.0.0.1:9000", s3.endpoint());
    assertEquals("eu-west-3", s3.region());
    assertTrue(s3.pathStyle());
    assertFalse(s3.conditionalWrites());
    assertEquals("key-1", s3.kmsKeyId());
    GcsSink.Settings gcs = config.settings("gs", GcsSink.Settings.class);
    assertEquals("http://127.0.0.1:4443", gcs.endpoint());
    assertEquals("proj", gcs.project());
    assertEquals("payer", gcs.userProject());
    assertNotEquals(SinkConfig.builder().setOutput("s3://b/p").build(), config);
  }

  @Test
  void givenNoStoreOptions_whenSettingsAreMade_thenTheyAreTheBuildersDefaults() {
    SinkConfig.Builder builder = SinkConfig.builder().setOutput("out");
    ObjectSinks.settingsFrom(PipelineOptionsFactory.create()).forEach(builder::setStore);

    assertEquals(SinkConfig.builder().setOutput("out").build(), builder.build());
  }

  @Test
  void givenAMalformedStoreEndpoint_whenSettingsAreMade_thenOneLineNamesTheStoresOption() {
    PipelineOptions options = PipelineOptionsFactory.fromArgs("--gcsEndpoint=ftp://127.0.0.1:4443").create();

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ObjectSinks.settingsFrom(options));
    assertTrue(e.getMessage().startsWith("--gcsEndpoint must be an http:// or https:// URL"), e.getMessage());
  }

  @Test
  void givenTheSharedConfiguration_whenItsPropertiesAreListed_thenNoneIsNamedForAStore() {
    Pattern storeNamed = Pattern.compile("(?i).*(s3|gcs|aws|kms|region|endpoint|pathstyle|userproject).*");
    for (Method m : SinkConfig.class.getDeclaredMethods()) {
      assertFalse(storeNamed.matcher(m.getName()).matches(), "SinkConfig." + m.getName() + " names a store");
    }
    for (Method m : SinkConfig.Builder.class.getDeclaredMethods()) {
      assertFalse(storeNamed.matcher(m.getName()).matches(), "SinkConfig.Builder." + m.getName() + " names a store");
    }
  }
}
