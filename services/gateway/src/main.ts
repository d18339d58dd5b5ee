import { runHttpService } from '@platform/http';
import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';

runHttpService({ name: 'gateway', loadConfig, buildApp });
