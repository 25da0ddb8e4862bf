package io.janus.engine.flink.compute.internal;

import io.janus.engine.core.state.Contribution;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Type information of {@link Contribution}, bound to {@link ContributionSerializer}. */
public final class ContributionTypeInfo extends TypeInformation<Contribution> {
  public static final ContributionTypeInfo INSTANCE = new ContributionTypeInfo();

  @Override
  public boolean isBasicType() {
    return false;
  }

  @Override
  public boolean isTupleType() {
    return false;
  }

  @Override
  public int getArity() {
    return 1;
  }

  @Override
  public int getTotalFields() {
    return 1;
  }

  @Override
  public Class<Contribution> getTypeClass() {
    return Contribution.class;
  }

  @Override
  public boolean isKeyType() {
    return false;
  }

  @Override
  public TypeSerializer<Contribution> createSerializer(SerializerConfig config) {
    return ContributionSerializer.INSTANCE;
  }

  @Override
  public String toString() {
    return "Contribution";
  }

  @Override
  public boolean equals(Object obj) {
    return obj instanceof ContributionTypeInfo;
  }

  @Override
  public int hashCode() {
    return ContributionTypeInfo.class.hashCode();
  }

  @Override
  public boolean canEqual(Object obj) {
    return obj instanceof ContributionTypeInfo;
  }
}
