import { runService } from '@platform/http';
import { backendService } from './service.ts';

runService(backendService);
