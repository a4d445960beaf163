// A plan rendered as the analytics model (AnalyticsConversationWithoutAttributes): participants,
// sessions and segments whose times agree with the transcript (agents talk only in their
// interact segments).
import type {
  AnalyticsConversationSegment,
  AnalyticsConversationWithoutAttributes,
  AnalyticsParticipantWithoutAttributes,
  AnalyticsSession,
} from '../../sdk/models.ts';
import { iso, type AgentLeg, type ConversationPlan, type Window } from './plan.ts';

const seg = (
  type: string,
  w: Window,
  extra: Partial<AnalyticsConversationSegment> = {},
): AnalyticsConversationSegment => ({
  segmentStart: iso(w[0]),
  segmentEnd: iso(w[1]),
  segmentType: type,
  ...extra,
});

/** Genesys flows report languages in lower case ("en-us"); it is the only language field analytics has. */
function flowLanguage(plan: ConversationPlan): string {
  return plan.language.toLowerCase();
}

function mediaType(plan: ConversationPlan): string {
  return plan.kind;
}

function addressing(plan: ConversationPlan, inboundFromCustomer: boolean): Partial<AnalyticsSession> {
  const from = inboundFromCustomer ? plan.customer.address : plan.customer.peer;
  const to = inboundFromCustomer ? plan.customer.peer : plan.customer.address;
  if (plan.kind === 'voice') return { ani: from, dnis: to };
  return {
    addressFrom: from,
    addressTo: to,
    ...(plan.kind === 'message' ? { messageType: 'webmessaging' } : {}),
  };
}

export function analyticsConversation(plan: ConversationPlan): AnalyticsConversationWithoutAttributes {
  const inbound = plan.direction === 'inbound';
  const participants: AnalyticsParticipantWithoutAttributes[] = [customerParticipant(plan)];
  if (plan.flow) participants.push(flowParticipant(plan, plan.flow));
  participants.push(acdParticipant(plan));
  plan.agents.forEach((a, i) => participants.push(agentParticipant(plan, a, i === plan.agents.length - 1)));
  return {
    conversationId: plan.id,
    conversationStart: iso(plan.startMs),
    conversationEnd: iso(plan.endMs),
    originatingDirection: plan.direction,
    conversationInitiator: inbound ? 'external' : 'agent',
    customerParticipation: true,
    divisionIds: [plan.divisionId],
    participants,
  };
}

/** The customer: in the flow, then queued and talking (on hold while the first agent holds) until the end. */
function customerParticipant(plan: ConversationPlan): AnalyticsParticipantWithoutAttributes {
  const segments: AnalyticsConversationSegment[] = [];
  const afterFlow = plan.flow ? plan.flow.window[1] : plan.startMs;
  if (plan.flow) segments.push(seg('interact', plan.flow.window));
  const hold = plan.agents[0]?.hold;
  if (hold) {
    segments.push(seg('interact', [afterFlow, hold[0]], { queueId: plan.queue.id }));
    segments.push(seg('hold', hold, { queueId: plan.queue.id }));
    segments.push(
      seg('interact', [hold[1], plan.endMs], { queueId: plan.queue.id, disconnectType: 'client' }),
    );
  } else {
    segments.push(
      seg('interact', [afterFlow, plan.endMs], { queueId: plan.queue.id, disconnectType: 'client' }),
    );
  }
  return {
    participantId: plan.customer.participantId,
    participantName: plan.customer.name,
    purpose: 'customer',
    sessions: [
      {
        sessionId: plan.customer.sessionId,
        mediaType: mediaType(plan),
        direction: plan.direction,
        ...addressing(plan, plan.direction === 'inbound'),
        ...(plan.kind === 'voice' ? { recording: plan.recording !== undefined } : {}),
        segments,
      },
    ],
  };
}

/** The IVR or bot flow, which transfers to the queue. */
function flowParticipant(
  plan: ConversationPlan,
  f: NonNullable<ConversationPlan['flow']>,
): AnalyticsParticipantWithoutAttributes {
  return {
    participantId: f.participantId,
    participantName: f.name,
    purpose: f.purpose,
    sessions: [
      {
        sessionId: f.sessionId,
        mediaType: mediaType(plan),
        direction: 'inbound',
        ...addressing(plan, true),
        segments: [seg(f.purpose === 'ivr' ? 'ivr' : 'interact', f.window, { disconnectType: 'transfer' })],
        flow: {
          flowId: f.flowId,
          flowName: f.name,
          flowType:
            f.purpose === 'ivr'
              ? 'INBOUNDCALL'
              : plan.kind === 'chat'
                ? 'INBOUNDCHAT'
                : 'INBOUNDSHORTMESSAGE',
          startingLanguage: flowLanguage(plan),
          endingLanguage: flowLanguage(plan),
          entryType: 'dnis',
          exitReason: 'TRANSFER',
          transferType: 'ACD',
          transferTargetName: plan.queue.name,
        },
      },
    ],
  };
}

function acdParticipant(plan: ConversationPlan): AnalyticsParticipantWithoutAttributes {
  return {
    participantId: plan.acd.participantId,
    participantName: plan.queue.name,
    purpose: 'acd',
    sessions: [
      {
        sessionId: plan.acd.sessionId,
        mediaType: mediaType(plan),
        direction: plan.direction,
        ...addressing(plan, plan.direction === 'inbound'),
        segments: [seg('interact', plan.acd.window, { queueId: plan.queue.id, disconnectType: 'transfer' })],
      },
    ],
  };
}

/** An agent: alerted, talking (around a hold), then in wrap-up; the last one ends the call. */
function agentParticipant(
  plan: ConversationPlan,
  a: AgentLeg,
  last: boolean,
): AnalyticsParticipantWithoutAttributes {
  const segments: AnalyticsConversationSegment[] = [seg('alert', a.alert, { queueId: plan.queue.id })];
  a.interact.forEach((w, k) => {
    if (k > 0 && a.hold) segments.push(seg('hold', a.hold, { queueId: plan.queue.id }));
    const final = k === a.interact.length - 1;
    segments.push(
      seg('interact', w, {
        queueId: plan.queue.id,
        ...(final ? { disconnectType: last ? 'peer' : 'transfer' } : {}),
      }),
    );
  });
  segments.push(
    seg('wrapup', a.wrapup, { queueId: plan.queue.id, wrapUpCode: 'a0c1f1e2-1111-4000-8000-00000000c0de' }),
  );
  return {
    participantId: a.participantId,
    participantName: a.name,
    purpose: 'agent',
    userId: a.userId,
    sessions: [
      {
        sessionId: a.sessionId,
        mediaType: mediaType(plan),
        direction: plan.direction,
        ...addressing(plan, plan.direction === 'inbound'),
        ...(plan.kind === 'voice' ? { recording: plan.recording !== undefined } : {}),
        segments,
      },
    ],
  };
}
