export { loadWorld, removeWorld, type WorldOptions, type WorldReport } from './world.loader.ts';
