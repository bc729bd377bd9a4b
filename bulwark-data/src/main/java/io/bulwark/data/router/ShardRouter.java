package io.bulwark.data.router;

/** Routes a request to the owner of its key over bulwark-http (placeholder; see docs/data.md). */
public interface ShardRouter {}
