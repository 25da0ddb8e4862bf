package io.janus.engine.online;

import java.io.Serializable;
import java.util.List;
import org.apache.flink.api.connector.source.Source;

/**
 * How a job reaches its online store: a serializable description that every task opens on its own,
 * so job graphs carry a factory instead of connection strings. {@code toString} must not reveal
 * credentials: job graphs and logs print it.
 */
public interface OnlineStoreFactory extends Serializable {
  /**
   * Opens a connection to the store; the caller closes it.
   *
   * @return an open store
   */
  OnlineStore open();

  /**
   * A bounded Flink source reading every key of {@code group} (or those {@code filter} accepts):
   * each record is the entity key followed by the values of {@code fields} (null where absent).
   *
   * @param group the group's name, the prefix of its keys
   * @param fields the fields to read of each key
   * @param filter which keys to read, decided from the entity key alone
   * @return the source
   */
  Source<String[], ?, ?> scan(String group, List<String> fields, KeyFilter filter);
}
