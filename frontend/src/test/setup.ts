import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// findBy*/waitFor give up after this long (default 1 s): role queries over a large tree
// take longer than that on a loaded machine. A passing test waits no longer for it.
configure({ asyncUtilTimeout: 15_000 });

afterEach(() => cleanup());
