'use client';

import dynamic from 'next/dynamic';

import { Skeleton } from '../gate';

/**
 * The risk panel as its own chunk, loaded in the browser only: lib/ai, its interaction list and the
 * onnxruntime-web loader never reach pages that show no score (the landing page stays light).
 */
export const LazyRiskPanel = dynamic(() => import('./risk-panel').then((module) => module.RiskPanel), {
  ssr: false,
  loading: () => <Skeleton lines={4} label="Loading the risk panel" />,
});
