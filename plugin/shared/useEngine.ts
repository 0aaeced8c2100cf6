import { useEffect, useState } from 'react';

import { Engine, loadEngine } from './engine';
import { errorMessage } from './errors';

/** What a component knows about the engine: not yet loaded, loaded, or failed (with why). */
export interface EngineState {
  engine?: Engine;
  error?: string;
}

/** Starts `loadEngine()` on mount and re-renders when it settles. */
export function useEngine(): EngineState {
  const [state, setState] = useState<EngineState>({});
  useEffect(() => {
    let mounted = true;
    loadEngine().then(
      (engine) => mounted && setState({ engine }),
      (err: unknown) => mounted && setState({ error: errorMessage(err) })
    );
    return () => {
      mounted = false;
    };
  }, []);
  return state;
}
