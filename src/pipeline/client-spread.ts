// Work spread over several OAuth clients of one org (`--clients`): Genesys counts the rate budget
// per client, so each added client adds a budget. Batch jobs go round robin (a job's conversations
// stay with the client that submitted it: only that client may read the job again); other
// conversations go to the client with the fewest in flight.
import type { GenesysClient } from '../genesys/transport.ts';

export class ClientSpread {
  private readonly clients: readonly GenesysClient[];
  private readonly inFlight: Map<GenesysClient, number>;
  private turn = 0;

  constructor(clients: readonly GenesysClient[]) {
    this.clients = clients;
    this.inFlight = new Map(clients.map((c) => [c, 0]));
  }

  next(): GenesysClient {
    const c = this.clients[this.turn % this.clients.length]!;
    this.turn += 1;
    return c;
  }

  leastBusy(): GenesysClient {
    return this.clients.reduce((a, b) => (this.inFlight.get(b)! < this.inFlight.get(a)! ? b : a));
  }

  async using<T>(client: GenesysClient, work: () => Promise<T>): Promise<T> {
    this.inFlight.set(client, (this.inFlight.get(client) ?? 0) + 1);
    try {
      return await work();
    } finally {
      this.inFlight.set(client, this.inFlight.get(client)! - 1);
    }
  }
}
