package io.bulwark.bench.data;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The anchor for the ring: the consistent-hash ring a Java team copies from a blog post. A {@link
 * TreeMap} from position to node, {@value #REPLICAS} virtual nodes per node placed by MD5 of {@code
 * "node#i"}, lookup by {@code ceilingEntry} wrapping to {@code firstEntry}. No weights, no replicas
 * beyond walking the map by hand. Written here, on purpose plain; it is what Bulwark's ring is
 * measured against.
 */
final class BlogPostRing {
  static final int REPLICAS = 100;

  private final TreeMap<Long, String> ring = new TreeMap<>();

  BlogPostRing(List<String> nodes) {
    for (String node : nodes) {
      for (int i = 0; i < REPLICAS; i++) {
        ring.put(md5(node + "#" + i), node);
      }
    }
  }

  String owner(long keyHash) {
    Map.Entry<Long, String> e = ring.ceilingEntry(keyHash);
    return e != null ? e.getValue() : ring.firstEntry().getValue();
  }

  private static long md5(String s) {
    try {
      byte[] d = MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8));
      long h = 0;
      for (int i = 0; i < 8; i++) {
        h = (h << 8) | (d[i] & 0xff);
      }
      return h;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
