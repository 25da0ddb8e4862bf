package io.janus.engine.iceberg.lineage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Properties;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The code version a run is made of: the git commit and whether the work tree had uncommitted
 * changes. Read with JGit from the repository around the working directory; on a cluster without
 * the repository, from the {@code janus-git.properties} the build put into the jar.
 *
 * @param commit full commit id, or "unknown"
 * @param dirty whether tracked files differed from the commit
 * @param from where the facts came from: "repository", "build" or "none"
 */
record GitFacts(String commit, boolean dirty, String from) {
  private static final Logger LOG = LoggerFactory.getLogger(GitFacts.class);

  /** Detects the facts, starting the repository search at {@code start}. */
  public static GitFacts detect(Path start) {
    try {
      FileRepositoryBuilder builder =
          new FileRepositoryBuilder().readEnvironment().findGitDir(start.toAbsolutePath().toFile());
      if (builder.getGitDir() != null) {
        try (Repository repo = builder.build();
            Git git = new Git(repo)) {
          ObjectId head = repo.resolve("HEAD");
          if (head != null) {
            boolean dirty =
                !git.status()
                    .setIgnoreSubmodules(
                        org.eclipse.jgit.submodule.SubmoduleWalk.IgnoreSubmoduleMode.ALL)
                    .call()
                    .getUncommittedChanges()
                    .isEmpty();
            return new GitFacts(head.name(), dirty, "repository");
          }
        }
      }
    } catch (IOException | GitAPIException | RuntimeException e) {
      LOG.warn("cannot read git facts from {}: {}", start, e.toString());
    }
    return fromBuild();
  }

  /** The facts recorded at build time, if the jar has them. */
  public static GitFacts fromBuild() {
    try (InputStream in =
        GitFacts.class.getClassLoader().getResourceAsStream("janus-git.properties")) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        String commit = p.getProperty("git.commit.id");
        if (commit != null && !commit.isBlank()) {
          return new GitFacts(
              commit, Boolean.parseBoolean(p.getProperty("git.dirty", "false")), "build");
        }
      }
    } catch (IOException e) {
      LOG.warn("cannot read janus-git.properties: {}", e.toString());
    }
    return new GitFacts("unknown", false, "none");
  }
}
