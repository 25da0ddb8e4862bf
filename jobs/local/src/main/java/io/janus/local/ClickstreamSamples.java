package io.janus.local;

import io.janus.engine.flink.source.PayloadSource;
import io.janus.features.generate.ClickstreamGenerator;
import io.janus.jobs.cli.SampleEvents;
import io.janus.jobs.cli.SampleSettings;
import java.io.IOException;
import java.nio.file.Path;

/** The shipped clickstream generator as the local launcher's {@link SampleEvents} (a service). */
public final class ClickstreamSamples implements SampleEvents {
  /**
   * The generator of {@code settings}.
   *
   * @param settings what to generate
   * @return the generator
   */
  static ClickstreamGenerator generator(SampleSettings settings) {
    return ClickstreamGenerator.builder()
        .events(settings.events())
        .days(settings.days())
        .start(settings.start())
        .seed(settings.seed())
        .users(settings.users())
        .products(settings.products())
        .malformedRate(settings.malformedRate())
        .until(settings.until())
        .build();
  }

  @Override
  public long write(SampleSettings settings, Path file) throws IOException {
    ClickstreamGenerator g = generator(settings);
    g.writeTo(file);
    return g.seed();
  }

  @Override
  public PayloadSource source(SampleSettings settings) {
    return new GeneratorPayloadSource(
        settings.events(),
        settings.days(),
        settings.start(),
        settings.seed(),
        settings.malformedRate(),
        settings.until());
  }
}
