// A screen's state read as a snapshot and kept current by live events. Subscribe first, then
// read: the events heard while a snapshot loads wait and are applied on top of it, in order, so
// a snapshot read just before a change cannot undo it. The stream hands each event on once
// (deduplicated by id), so nothing here is applied twice.

export class SnapshotBuffer {
  /**
   * `apply(type, data)`: a live event, applied and shown at once;
   * `replay(type, data)`: an event that waited for a snapshot (shown with it; default `apply`).
   * Before the first snapshot (or after `reset(false)`) events wait.
   */
  constructor({ apply, replay = apply }) {
    Object.assign(this, { apply, replay });
    this.loadId = 0;
    this.loaded = false;
    this.loading = false;
    this.pending = [];
  }

  push(type, data) {
    if (this.pending) this.pending.push([type, data]);
    else this.apply(type, data);
  }

  /**
   * Read a snapshot with `read()` and install it with `install(snapshot)`, then replay the
   * events that waited. Only the latest load counts: resolves false when a newer load or a
   * reset made this one moot. A failed read rejects; the events that waited are replayed on
   * the state in place if there is one, else they wait for the next load.
   */
  async load(read, install) {
    const load = ++this.loadId;
    this.pending ??= [];
    this.loading = true;
    let snapshot;
    let failure = null;
    try {
      snapshot = await read();
    } catch (error) {
      failure = error;
    }
    if (load !== this.loadId) return false;
    this.loading = false;
    if (failure && !this.loaded) throw failure;
    if (!failure) {
      install(snapshot);
      this.loaded = true;
    }
    const pending = this.pending;
    this.pending = null;
    for (const [type, data] of pending) this.replay(type, data);
    if (failure) throw failure;
    return true;
  }

  /** Start over: a load on its way is dropped, and so are the events that waited for it. */
  reset(loaded) {
    this.loadId += 1;
    this.loaded = loaded;
    this.loading = false;
    this.pending = loaded ? null : [];
  }
}
