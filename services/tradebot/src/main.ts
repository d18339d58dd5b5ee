import { runService } from '@platform/http';
import { tradebotService } from './service.ts';

runService(tradebotService);
