// A tiny LRU map: the dataset rebuilds plans and analytics objects on demand, and keeps only the
// recently used ones, so 100,000 conversations cost compact arrays rather than object graphs.
export class Lru<K, V> {
  private readonly max: number;
  private readonly map = new Map<K, V>();

  constructor(max: number) {
    this.max = max;
  }

  get(key: K, make: () => V): V {
    const hit = this.map.get(key);
    if (hit !== undefined) {
      // Re-insert: a Map iterates in insertion order, so the first key is the least recent.
      this.map.delete(key);
      this.map.set(key, hit);
      return hit;
    }
    const value = make();
    if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value as K);
    this.map.set(key, value);
    return value;
  }
}
