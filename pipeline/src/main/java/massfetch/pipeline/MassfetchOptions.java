package massfetch.pipeline;

/** All of the job's options: what {@code --help} lists. */
public interface MassfetchOptions
    extends ManifestOptions, FetchOptions, SinkOptions, ResultsOptions, ShardOptions, OutcomeOptions {}
