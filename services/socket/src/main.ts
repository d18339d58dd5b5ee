import { runService } from '@platform/http';
import { socketService } from './service.ts';

runService(socketService);
