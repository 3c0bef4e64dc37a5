import type { BranchData } from '../data/store';
import type { SchemaModel } from '../schema/schema-model';
import type { SimStore } from '../data/sim-store';

/** What every resolver gets: the branch the request addressed and the rest of the simulator's state. */
export interface SimContext {
  store: SimStore;
  branch: BranchData;
  model: SchemaModel;
  /** Time of the request, used for updated_at and created timestamps. */
  now: string;
}
